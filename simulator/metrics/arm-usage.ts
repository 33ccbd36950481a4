import type { JournalRecord } from '../run/journal-record.ts';
import type { ArmUsage } from './report-types.ts';

/**
 * Token usage and cost of an arm: the sums of the `output.usage` the journal holds (metered models,
 * e.g. the openai adapter). Only answers that were read carry usage, so tokens spent on replies that
 * failed to parse are not in these totals.
 */
export class UsageTotals {
  private calls = 0;
  private promptTokens = 0;
  private completionTokens = 0;
  private priced = 0;
  private costUsd = 0;

  add(record: JournalRecord): void {
    const usage = record.output?.usage;
    if (!usage) return;
    this.calls++;
    this.promptTokens += usage.promptTokens;
    this.completionTokens += usage.completionTokens;
    if (usage.costUsd !== undefined) {
      this.priced++;
      this.costUsd += usage.costUsd;
    }
  }

  /** The arm's totals; undefined when no record carried usage (the report leaves the field out). */
  report(): ArmUsage | undefined {
    if (this.calls === 0) return undefined;
    return {
      calls: this.calls,
      promptTokens: this.promptTokens,
      completionTokens: this.completionTokens,
      totalTokens: this.promptTokens + this.completionTokens,
      costUsd: this.priced === 0 ? null : this.costUsd,
    };
  }
}
