import { z } from 'zod';
import { CdsHooksTarget } from './cds-hooks.ts';
import { FhirTarget } from './fhir.ts';
import { HttpJsonTarget } from './http-json.ts';
import { InProcessTarget } from './in-process.ts';
import { KserveTarget } from './kserve.ts';
import { MlflowTarget } from './mlflow.ts';
import { OpenAiTarget } from './openai.ts';

export { Auth, HttpUrl } from './policy.ts';

/** Where a scenario's calls go: one schema per adapter kind, one file each in this folder. */
export const Target = z.discriminatedUnion('adapter', [HttpJsonTarget, InProcessTarget, CdsHooksTarget, KserveTarget, MlflowTarget, OpenAiTarget, FhirTarget]);
export type Target = z.infer<typeof Target>;
export type TargetInput = z.input<typeof Target>;
export type AdapterKind = Target['adapter'];
export type TargetOf<K extends AdapterKind> = Extract<Target, { adapter: K }>;
