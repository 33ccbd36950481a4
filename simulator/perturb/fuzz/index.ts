/** Malformed input: the endpoint must answer with a clean error, not crash. */
export const fuzzKinds = {} as const;
