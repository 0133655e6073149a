// The library's error hierarchy. Every message names the operation, the argument,
// what was expected and what was received, so a user can fix the call without
// reading our source. Errors are structured: the fields are readonly data.

/** Formats a shape the way messages print it: `[2, 3, 4]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Base class of every error this library throws on purpose. */
export class RnnError extends Error {
  override readonly name: string = 'RnnError';
}

/** A tensor argument has the wrong shape or rank. */
export class ShapeError extends RnnError {
  override readonly name = 'ShapeError';
  constructor(
    readonly op: string,
    readonly argument: string,
    /** The expected shape, or a description such as "rank 2 or 3". */
    readonly expected: readonly number[] | string,
    readonly received: readonly number[],
  ) {
    super(
      `${op}: argument '${argument}' must have ${
        typeof expected === 'string' ? expected : `shape ${formatShape(expected)}`
      }, got shape ${formatShape(received)}`,
      // `expected` as a string is a noun phrase: "rank 2 or 3", "at least one element".
    );
  }
}

/** A tensor argument has the wrong dtype. */
export class DTypeError extends RnnError {
  override readonly name = 'DTypeError';
  constructor(
    readonly op: string,
    readonly argument: string,
    readonly expected: string,
    readonly received: string,
  ) {
    super(`${op}: argument '${argument}' must be ${expected}, got ${received}`);
  }
}

/** A non-tensor argument (an option, an index, a size) is out of range or of the wrong kind. */
export class ArgumentError extends RnnError {
  override readonly name = 'ArgumentError';
  constructor(
    readonly op: string,
    readonly argument: string,
    readonly expected: string,
    readonly received: unknown,
  ) {
    super(`${op}: argument '${argument}' must be ${expected}, got ${describeValue(received)}`);
  }
}

/** Misuse of automatic differentiation (backward without grad, a freed graph, …). */
export class GradError extends RnnError {
  override readonly name = 'GradError';
  constructor(
    readonly op: string,
    message: string,
  ) {
    super(`${op}: ${message}`);
  }
}

/** A value became NaN or infinite where a finite number is required (a loss, a norm). */
export class NumericError extends RnnError {
  override readonly name = 'NumericError';
  constructor(
    readonly op: string,
    message: string,
  ) {
    super(`${op}: ${message}`);
  }
}

/** A file or buffer being loaded is malformed, truncated or does not match the model. */
export class SerializationError extends RnnError {
  override readonly name = 'SerializationError';
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(`${source}: ${message}`);
  }
}

/** A compute backend is missing, failed to load, or was asked for something it cannot do. */
export class BackendError extends RnnError {
  override readonly name = 'BackendError';
}

/** Short, bounded rendering of an arbitrary value for error messages. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) {
    const items = v.slice(0, 8).map((x) => describeValue(x));
    return `[${items.join(', ')}${v.length > 8 ? ', ...' : ''}]`;
  }
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as { length: number }).length})`;
  if (typeof v === 'function') return `function ${v.name || '(anonymous)'}`;
  const ctor = (v as object).constructor;
  return ctor && ctor !== Object ? `${ctor.name} instance` : 'an object';
}

/** Throws an ArgumentError unless `cond`; the message is built only on failure. */
export function check(cond: boolean, err: () => RnnError): asserts cond {
  if (!cond) throw err();
}
