export default async function globalTeardown(): Promise<void> {
  const container = (globalThis as { __pgContainer?: { stop(): Promise<unknown> } }).__pgContainer;
  if (container) await container.stop();
}
