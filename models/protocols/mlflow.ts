import type { FastifyError, FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isJsonMediaType, rowsOf, type TabularModel } from './tabular-model.ts';

/**
 * An MLflow scoring server's API (`mlflow models serve`: "Inference Server Specification" of
 * mlflow.org's "Deploy MLflow Model as a Local Inference Server"), serving one tabular reference
 * model. Register with `app.register(mlflowRoutes(model))` (no prefix: MLflow serves at the root).
 *
 *   POST /invocations   {"dataframe_split": {"columns": [...], "data": [[...], ...]}} → {"predictions": [score, ...]}
 *   GET  /ping          200, body "\n" (as MLflow answers)
 *
 * Strict on input, as a conformance counterpart to the mlflow adapter: `Content-Type:
 * application/json` (charset utf-8 allowed), a body with exactly the `dataframe_split` key (the
 * other MLflow input formats, `dataframe_records`, `instances`, `inputs`, CSV, and `params` are
 * refused), the columns exactly the model's inputs (any order), 1..MAX_ROWS rows of numbers or
 * `null` (missing). Errors are MLflow's error object `{ "error_code", "message" }`: 400
 * `BAD_REQUEST` (a request the model cannot take) or `MALFORMED_REQUEST` (not JSON), 413, 415,
 * 500 `INTERNAL_ERROR` without details.
 */

const DataframeSplit = z.strictObject({
  dataframe_split: z.strictObject({
    columns: z.array(z.string()),
    data: z.array(z.array(z.unknown())),
    index: z.array(z.union([z.number(), z.string()])).optional(),
  }),
});

type ErrorCode = 'BAD_REQUEST' | 'MALFORMED_REQUEST' | 'INTERNAL_ERROR';
const error = (code: ErrorCode, message: string) => ({ error_code: code, message: message.slice(0, 500) });

export function mlflowRoutes(model: TabularModel) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.setErrorHandler((failure: FastifyError, request, reply) => {
      const status = typeof failure.statusCode === 'number' && failure.statusCode >= 400 && failure.statusCode < 500 ? failure.statusCode : 500;
      if (status >= 500) {
        request.log.error(failure);
        return reply.code(500).send(error('INTERNAL_ERROR', 'internal error'));
      }
      const malformed = failure.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || failure.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || failure instanceof SyntaxError;
      return reply.code(status).send(error(malformed ? 'MALFORMED_REQUEST' : 'BAD_REQUEST', failure.message));
    });

    app.get('/ping', async (_request, reply) => reply.type('application/json').send('\n'));

    app.post('/invocations', async (request, reply) => {
      const type = request.headers['content-type'];
      if (!isJsonMediaType(type)) {
        return reply
          .code(415)
          .send(error('BAD_REQUEST', `this server accepts Content-Type application/json (dataframe_split) only, got ${String(type ?? 'none').slice(0, 80)}`));
      }
      const body: unknown = request.body;
      const keys = typeof body === 'object' && body !== null && !Array.isArray(body) ? Object.keys(body) : [];
      const others = keys.filter((k) => k !== 'dataframe_split');
      if (others.length > 0) {
        return reply
          .code(400)
          .send(error('BAD_REQUEST', `this server takes the dataframe_split input format only; the request has ${others.slice(0, 5).map((k) => k.slice(0, 40)).join(', ')}`));
      }
      const parsed = DataframeSplit.safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        return reply
          .code(400)
          .send(error('BAD_REQUEST', `the input must be {"dataframe_split": {"columns": [...], "data": [[...]]}}: ${issue.path.join('.') || '(root)'}: ${issue.message}`));
      }
      const { columns, data, index } = parsed.data.dataframe_split;
      if (index !== undefined && index.length !== data.length) {
        return reply.code(400).send(error('BAD_REQUEST', `index has ${index.length} labels for ${data.length} rows`));
      }
      const rows = rowsOf(model, columns, data);
      if (typeof rows === 'string') return reply.code(400).send(error('BAD_REQUEST', rows));
      return { predictions: rows.map((row) => model.score(row).score) };
    });
  };
}
