/**
 * clinsim's public entry: what scenario files and library users import from 'clinsim'.
 */
export { defineScenario, Scenario } from './simulator/scenario.ts';
export type { ScenarioInput, Target, TargetInput } from './simulator/scenario.ts';
export { shift, missing, notes, fuzz } from './simulator/perturb/families.ts';
export type { Adapter, ModelInput, CallContext, Prediction } from './adapters/adapter.ts';
export type { Case, Truth, Group, TaskName } from './simulator/case.ts';
export type { JournalRecord } from './simulator/run/journal-record.ts';
export type { Report } from './simulator/metrics/report-types.ts';
