// For tests: the error a promise rejects with; fails the test when the promise resolves instead.

export async function rejection<E = unknown>(promise: Promise<unknown>): Promise<E> {
  try {
    await promise;
  } catch (error) {
    return error as E;
  }
  throw new Error('expected a rejection, the promise resolved');
}
