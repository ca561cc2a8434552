/**
 * Event Grid deliveries to a webhook: the subscription validation handshake and Key Vault
 * `SecretNewVersionCreated` events, in the Event Grid schema (PascalCase data, as the
 * service sends it) or the CloudEvents 1.0 schema.
 */

export const VALIDATION_EVENT = 'Microsoft.EventGrid.SubscriptionValidationEvent'
export const SECRET_NEW_VERSION = 'Microsoft.KeyVault.SecretNewVersionCreated'

/** A Key Vault secret event, reduced to what a live set needs. */
export interface SecretVersionEvent {
  vaultName: string | undefined
  /** `/subscriptions/…/providers/Microsoft.KeyVault/vaults/{vault}` */
  topic: string | undefined
  name: string | undefined
  version: string | undefined
}

export type ParsedDelivery =
  | { kind: 'validation'; validationCode: string }
  | { kind: 'events'; secretEvents: SecretVersionEvent[]; otherTypes: string[] }

type Json = Record<string, unknown>

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** Reads a field as PascalCase (the wire) or camelCase (SDK-deserialised). */
function field(data: Json, pascal: string): string | undefined {
  return str(data[pascal]) ?? str(data[pascal[0]!.toLowerCase() + pascal.slice(1)])
}

/** Parses a delivery body (string, Buffer, object or array). Throws a TypeError naming what is wrong. */
export function parseDelivery(body: unknown): ParsedDelivery {
  let parsed: unknown = body
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    try {
      parsed = JSON.parse(body.toString())
    } catch {
      throw new TypeError('handleEventGrid: the body is not JSON; pass the raw request body or its parsed JSON.')
    }
  }
  const events = (Array.isArray(parsed) ? parsed : [parsed]).filter((e): e is Json => typeof e === 'object' && e !== null)
  if (events.length === 0) throw new TypeError('handleEventGrid: the body holds no events.')
  const secretEvents: SecretVersionEvent[] = []
  const otherTypes: string[] = []
  for (const e of events) {
    const type = str(e.eventType) ?? str(e.type) ?? ''
    const data = (typeof e.data === 'object' && e.data !== null ? e.data : {}) as Json
    if (type === VALIDATION_EVENT) {
      const code = field(data, 'ValidationCode')
      if (!code) throw new TypeError('handleEventGrid: the validation event has no data.validationCode.')
      return { kind: 'validation', validationCode: code }
    }
    if (type === SECRET_NEW_VERSION) {
      secretEvents.push({
        vaultName: field(data, 'VaultName'),
        topic: str(e.topic) ?? str(e.source),
        name: field(data, 'ObjectName') ?? str(e.subject),
        version: field(data, 'Version'),
      })
    } else {
      otherTypes.push(type || '(no type)')
    }
  }
  return { kind: 'events', secretEvents, otherTypes }
}

/** The vault name of a topic such as `/subscriptions/…/vaults/myvault`. */
export function vaultOfTopic(topic: string | undefined): string | undefined {
  const m = topic === undefined ? null : /\/vaults\/([^/]+)\/?$/i.exec(topic)
  return m?.[1]
}
