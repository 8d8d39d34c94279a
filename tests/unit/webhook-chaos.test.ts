import { describe, expect, it } from 'vitest'

import {
  decideEnqueueChaos,
  decideSendChaos,
  NO_CHAOS,
  parseChaos,
  serializeChaos,
  type WebhookChaos,
} from '../../src/webhooks/chaos.js'

const always = () => 0
const never = () => 0.999999
const half = () => 0.5

describe('webhook chaos decisions', () => {
  const all: WebhookChaos = { dropProbability: 1, duplicateProbability: 1, delayProbability: 1, maxDelaySeconds: 60, reorderProbability: 1 }

  it('stores only active settings and reads back what it stored', () => {
    expect(serializeChaos(NO_CHAOS)).toBeNull()
    expect(parseChaos(serializeChaos(all))).toEqual(all)
    expect(parseChaos(null)).toBeNull()
    expect(parseChaos('not json')).toBeNull()
    expect(parseChaos(JSON.stringify({ dropProbability: 7 }))).toBeNull()
  })

  it('drop wins over duplicate; nothing happens without settings', () => {
    expect(decideSendChaos(all, always)).toEqual({ drop: true, duplicate: false })
    expect(decideSendChaos({ ...all, dropProbability: 0 }, always)).toEqual({ drop: false, duplicate: true })
    expect(decideSendChaos({ ...all, dropProbability: 0.5, duplicateProbability: 0.5 }, never)).toEqual({ drop: false, duplicate: false })
    expect(decideSendChaos(null, always)).toEqual({ drop: false, duplicate: false })
  })

  it('delay holds an event back up to MaxDelaySeconds; reorder also lets later events pass', () => {
    expect(decideEnqueueChaos({ ...NO_CHAOS, delayProbability: 1, maxDelaySeconds: 60 }, half)).toEqual({ holdBackMs: 30_000, ordered: true })
    const reordered = decideEnqueueChaos({ ...NO_CHAOS, reorderProbability: 1, maxDelaySeconds: 0 }, half)
    expect(reordered.ordered).toBe(false)
    expect(reordered.holdBackMs).toBeGreaterThanOrEqual(1000)
    expect(decideEnqueueChaos(null, always)).toEqual({ holdBackMs: 0, ordered: true })
  })
})
