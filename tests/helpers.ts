/** Small helpers shared by the test files. */

/** What `promise` rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (e) {
    return e
  }
  throw new Error('expected a rejection, but the promise resolved')
}

/** What `f` throws; fails the test when it returns. */
export function thrown(f: () => unknown): unknown {
  try {
    f()
  } catch (e) {
    return e
  }
  throw new Error('expected a throw')
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
