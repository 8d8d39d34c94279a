import { DOMAIN_NAME_ERRORS, MAX_APPLE_PAY_DOMAINS, parseDomainName } from '../domain/apple-pay-domains.js'
import { validationError, type FieldError } from '../domain/errors.js'
import { FieldReader } from '../domain/field-reader.js'
import { merchantNow, type Merchant } from '../domain/merchant.js'
import { countApplePayDomains, insertApplePayDomain, isApplePayDomainRegistered } from '../store/apple-pay-domain.repository.js'
import type { Deps } from '../deps.js'

/** MyFatoorah's success text for RegisterApplePayDomain. */
export const REGISTER_APPLE_PAY_DOMAIN_MESSAGE = 'OK'

/**
 * RegisterApplePayDomain: records a bare host name for the merchant. Nothing is fetched (the
 * sandbox makes no outbound calls for it) and dawri offers no Apple Pay payments: the record is
 * all there is. Registering a domain again is a success that writes nothing.
 */
export async function registerApplePayDomain(deps: Deps, merchant: Merchant, body: unknown): Promise<void> {
  const errors: FieldError[] = []
  const reader = new FieldReader(body ?? {}, errors)
  // Longer than any host name: the rule below says why it is refused.
  const text = reader.string('DomainName', { required: true, max: 1000 })
  const parsed = text === undefined ? undefined : parseDomainName(text)
  if (parsed && !parsed.ok) reader.fail('DomainName', parsed.error)
  if (errors.length > 0 || !parsed?.ok) throw validationError(errors)

  const db = deps.store.db
  if (await isApplePayDomainRegistered(db, merchant.id, parsed.domain)) return
  if ((await countApplePayDomains(db, merchant.id)) >= MAX_APPLE_PAY_DOMAINS) {
    throw validationError([{ Name: reader.nameOf('DomainName'), Error: DOMAIN_NAME_ERRORS.tooMany }])
  }
  await insertApplePayDomain(db, { merchantId: merchant.id, domainName: parsed.domain, now: merchantNow(deps.clock.now(), merchant) })
}
