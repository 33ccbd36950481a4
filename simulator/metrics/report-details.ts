/**
 * What report.html shows beyond report.json: the curves behind its charts and the worst safety
 * failures with their inputs. Collected in the same streaming pass over the journal as the report.
 */
import type { JournalRecord } from '../run/journal-record.ts';
import type { Manifest } from '../run/manifest.ts';
import { caseInput, type CaseInput } from './case-input.ts';
import { CurveCollector, type ArmCurves } from './curves.ts';
import { WorstCaseCollector, type CheckCases, type FailedCase, type FailureSamples } from './worst-cases.ts';

export interface ShownCase extends FailedCase {
  readonly input: CaseInput;
}

export interface ShownCheck extends Omit<CheckCases, 'cases'> {
  readonly cases: ShownCase[];
}

export interface ScenarioDetails {
  readonly scenario: string;
  readonly curves: ArmCurves[];
  readonly checks: ShownCheck[];
  readonly failedCalls: FailureSamples[];
}

export interface ReportDetails {
  readonly scenarios: ScenarioDetails[];
}

export class ReportDetailCollector {
  private readonly curves: CurveCollector;
  private readonly worst: WorstCaseCollector;

  constructor(private readonly manifest: Manifest) {
    this.curves = new CurveCollector(manifest);
    this.worst = new WorstCaseCollector(manifest);
  }

  add(record: JournalRecord): void {
    this.curves.add(record);
    this.worst.add(record);
  }

  finish(): ReportDetails {
    const curves = this.curves.result();
    const worst = this.worst.result();
    return {
      scenarios: this.manifest.scenarios.map((lineage, i) => ({
        scenario: lineage.name,
        curves: curves[i]!.arms,
        checks: worst[i]!.checks.map((check) => ({
          ...check,
          cases: check.cases.map((c) => ({ ...c, input: caseInput(lineage, this.manifest.toolVersion, c) })),
        })),
        failedCalls: worst[i]!.failedCalls,
      })),
    };
  }
}
