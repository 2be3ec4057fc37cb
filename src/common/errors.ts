/**
 * The errors every side of Hearth shares: the worker throws them, the wire carries their code, the host
 * rethrows them, and capabilities tell a cancellation from a failure with `isCancelled`.
 */
import type { CancelReason, ErrorCode } from './protocol';

/** A failure the user can act on; `code` says which. Thrown in the worker and on the host alike. */
export class EngineError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/** The request was cancelled: by its signal, by a newer completion (superseded), or by shutdown. */
export class CancelledError extends Error {
  constructor(
    readonly reason: CancelReason,
    readonly partial = '',
  ) {
    super(`Request ${reason === 'superseded' ? 'superseded by a newer one' : 'cancelled'}`);
    this.name = 'CancelledError';
  }
}

export function isCancelled(error: unknown): error is CancelledError {
  return error instanceof Error && error.name === 'CancelledError';
}

/** Codes the user fixes by choosing (or downloading) another model file. */
export function isModelFileError(code: ErrorCode | undefined): boolean {
  return code === 'NO_MODEL' || (code?.startsWith('MODEL_') ?? false);
}
