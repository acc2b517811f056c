import { expect } from 'vitest';
import type { TestDdpClient } from './ddp-client.js';

/** The Meteor error code of a failed call; fails the test if the call succeeded. */
export async function errorOf(client: TestDdpClient, method: string, ...params: unknown[]): Promise<unknown> {
  const frame = await client.call(method, ...params);
  if (!frame.error) throw new Error(`${method} succeeded: ${JSON.stringify(frame.result)}`);
  expect(frame.error).toMatchObject({ isClientSafe: true, errorType: 'Meteor.Error' });
  return frame.error.error;
}
