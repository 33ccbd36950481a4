import type { Case, Group, TaskName } from '../case.ts';

/** Demographic overrides a generator honours; downstream variables are drawn conditionally on them. */
export interface PatientOverrides {
  ageYears?: number;
  sex?: 'female' | 'male';
  /** OMB race category code (urn:oid:2.16.840.1.113883.6.238). */
  race?: string;
  /** OMB ethnicity code (2135-2 or 2186-5). */
  ethnicity?: string;
}

export interface CohortOptions {
  seed: number;
  /** Target prevalence of the positive label; task default when omitted. */
  prevalence?: number;
}

/** A cell of the tabular view: a number, a category, or missing. */
export type Cell = number | string | null;

/**
 * The task's flat feature table (`clinsim generate --format csv`, and what tabular adapters send):
 * one row per patient, read from the (possibly perturbed) bundle, then the truth columns.
 */
export interface TabularView {
  /** Feature columns, in order (without `case` and the truth columns). */
  readonly features: readonly string[];
  /** Truth columns, in order (e.g. `label`, `risk`). */
  readonly truth: readonly string[];
  featuresOf(bundle: Case['bundle']): Cell[];
  truthOf(truth: Case['truth']): Cell[];
}

/** A clinical task: how a patient is generated and what the truth is. */
export interface TaskDefinition {
  readonly name: TaskName;
  /** Decision threshold used when a scenario gives none. */
  readonly defaultThreshold: number;
  generate(options: CohortOptions, index: number, overrides?: PatientOverrides): Case;
  /** Subgroup attributes of a (possibly perturbed) bundle. */
  groupOf(bundle: Case['bundle']): Group;
  readonly table: TabularView;
}
