import type { ChargeKind, KnownChargeResult } from '../domain/charge.js'
import type { Deps } from '../deps.js'

/**
 * The operator's view of one charge attempt once its outcome is recorded (or it is left open by
 * an error): `dawri_charges_total{kind,outcome}` and one log line. Called after the recording
 * transaction commits, and only by the process whose recording wrote the outcome, so each
 * attempt is counted once across processes. Nothing of the card or the key goes into the line.
 */
export function reportChargeOutcome(
  deps: Pick<Deps, 'logger' | 'telemetry'>,
  charge: { readonly kind: ChargeKind; readonly attemptId: number; readonly merchantId: number; readonly result: KnownChargeResult; readonly recovered?: boolean },
): void {
  const { kind, attemptId, merchantId, result } = charge
  deps.telemetry.chargeOutcome(kind, result.status)
  if (charge.recovered === true) deps.telemetry.attemptRecovered()
  deps.logger.info(
    {
      attemptId,
      merchantId,
      kind,
      outcome: result.status,
      ...(result.status === 'declined' ? { errorCode: result.errorCode } : {}),
      ...(charge.recovered === true ? { recovered: true } : {}),
    },
    'charge recorded',
  )
}

/** A charge attempt left open by an error or a missing answer: counted as `error` (the line itself is logged where it happens). */
export function reportChargeError(deps: Pick<Deps, 'telemetry'>, kind: ChargeKind): void {
  deps.telemetry.chargeOutcome(kind, 'error')
}
