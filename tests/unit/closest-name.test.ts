import { describe, expect, it } from 'vitest'
import { closestName } from '../../src/internal/closest-name.js'

describe('closestName', () => {
  it('finds a misspelling: a changed, missing, extra or swapped letter, case ignored', () => {
    expect(closestName('hitz', ['score', 'hits'])).toBe('hits')
    expect(closestName('hit', ['hits'])).toBe('hits')
    expect(closestName('hitss', ['hits'])).toBe('hits')
    expect(closestName('htis', ['hits'])).toBe('hits')
    expect(closestName('Hits', ['hits'])).toBe('hits')
    expect(closestName('queryEmbedding', ['queryEmbeddings', 'docEmbeddings'])).toBe('queryEmbeddings')
  })
  it('suggests nothing far off, nothing for itself, the closest first', () => {
    expect(closestName('k', ['x', 'ks'])).toBeUndefined()
    expect(closestName('abc', ['xyz', 'abd'])).toBe('abd')
    expect(closestName('size', ['sizes'])).toBe('sizes')
    expect(closestName('limit', ['hits', 'score'])).toBeUndefined()
    expect(closestName('hits', ['hits'])).toBeUndefined()
    expect(closestName('abcd', ['abxx', 'abcx'])).toBe('abcx')
    expect(closestName('a', [])).toBeUndefined()
  })
})
