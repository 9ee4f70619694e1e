import type { ExecutionContext } from '@nestjs/common';

type Handler = ReturnType<ExecutionContext['getHandler']>;
type Controller = ReturnType<ExecutionContext['getClass']>;

/**
 * A route's declared metadata, read (through the Reflector) once per handler and controller and
 * kept: decorators cannot change after boot, and guards on a hot path ask on every request.
 */
export class PerHandler<T> {
  private readonly byController = new WeakMap<Controller, WeakMap<Handler, { value: T }>>();

  constructor(private readonly read: (handler: Handler, controller: Controller) => T) {}

  of(context: ExecutionContext): T {
    const handler = context.getHandler();
    const controller = context.getClass();
    let handlers = this.byController.get(controller);
    if (!handlers) this.byController.set(controller, (handlers = new WeakMap()));
    let entry = handlers.get(handler);
    if (!entry) handlers.set(handler, (entry = { value: this.read(handler, controller) }));
    return entry.value;
  }
}
