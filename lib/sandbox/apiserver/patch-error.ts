// A patch that cannot be read (malformed: 400) or cannot be applied to the object (inapplicable: 422).
export class PatchError extends Error {
  constructor(
    readonly kind: 'malformed' | 'inapplicable',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PatchError';
  }
}
