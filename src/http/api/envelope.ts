import type { FieldError } from '../../domain/errors.js'

/** MyFatoorah's response envelope (reference §1.3). */
export interface Envelope<T> {
  IsSuccess: boolean
  Message: string | null
  ValidationErrors: FieldError[] | null
  Data: T
}

/** A success envelope. `Message` texts are the ones MyFatoorah sends per endpoint. */
export function success<T>(data: T, message = ''): Envelope<T> {
  return { IsSuccess: true, Message: message, ValidationErrors: null, Data: data }
}

/** A failure envelope. */
export function failure(message: string, fieldErrors: readonly FieldError[] = [], data: null | boolean = null): Envelope<null | boolean> {
  return { IsSuccess: false, Message: message, ValidationErrors: fieldErrors.length > 0 ? [...fieldErrors] : null, Data: data }
}
