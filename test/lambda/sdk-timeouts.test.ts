import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { boundedRequests } from '../../lambda/sdk-timeouts';

/**
 * A real SDK client against a local endpoint that accepts the connection and never
 * answers (a hung region): with boundedRequests the call fails with a TimeoutError
 * in about the timeout, and the socket is closed, so a warm function does not keep
 * one open per hung call until its connection pool runs out.
 */
describe('boundedRequests', () => {
  let server: http.Server;
  let endpoint: string;
  const open = new Set<import('node:net').Socket>();
  beforeAll(async () => {
    server = http.createServer(() => {
      // Never answers.
    });
    server.on('connection', (socket) => {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const socket of open) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const client = (requestHandler?: ReturnType<typeof boundedRequests>) =>
    new SSMClient({
      region: 'us-east-1',
      endpoint,
      maxAttempts: 1,
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
      ...(requestHandler ? { requestHandler } : {}),
    });

  it('gives up on an endpoint that never answers, with a TimeoutError, and closes the socket', async () => {
    const started = Date.now();
    await expect(
      client(boundedRequests(300)).send(new GetParameterCommand({ Name: 'x' })),
    ).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect(Date.now() - started).toBeLessThan(3000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(open.size).toBe(0);
  });

  it('without throwOnRequestTimeout the same requestTimeout does not end the call (why the option is set)', async () => {
    const { throwOnRequestTimeout: _, socketTimeout: __, ...warnOnly } = boundedRequests(300);
    // All the SDK does about it is a console warning: capture it, and check it.
    const warned = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const call = client(warnOnly as ReturnType<typeof boundedRequests>).send(
      new GetParameterCommand({ Name: 'x' }),
    );
    const outcome = await Promise.race([
      call.then(
        () => 'answered',
        () => 'failed',
      ),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 1500)),
    ]);
    expect(outcome).toBe('still waiting');
    expect(warned.mock.calls.join('\n')).toMatch(/exceeded the configured 300 ms requestTimeout/);
    warned.mockRestore();
    for (const socket of open) socket.destroy();
    await call.catch(() => undefined);
  });
});
