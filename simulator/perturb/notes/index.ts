/** Adversarial clinical text: the note a model reads is changed. */
export const notesKinds = {} as const;
