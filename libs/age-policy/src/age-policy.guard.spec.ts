import {
  Catch,
  Controller,
  Get,
  Injectable,
  Module,
  UseGuards,
  type ArgumentsHost,
  type ExceptionFilter,
  type ExecutionContext,
  type INestApplication,
} from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { Test, type TestingModule } from '@nestjs/testing';
import request from 'supertest';
import {
  AGE_SUBJECT_RESOLVER,
  AgePolicyGuard,
  AgePolicyModule,
  AgePolicyService,
  AgeRestrictedError,
  RequireAge,
  type AgePolicyModuleOptions,
  type AgeSubjectResolver,
} from './index';

interface FakeRequest {
  birthday?: string | null;
}

/** Reads the birthday the test put on the request, and counts its calls. */
class RequestBirthdayResolver implements AgeSubjectResolver {
  calls = 0;
  async resolveBirthday(context: ExecutionContext): Promise<string | null> {
    this.calls++;
    return context.switchToHttp().getRequest<FakeRequest>().birthday ?? null;
  }
}

// 2026-03-15 00:30 in Seoul, 2026-03-14 in UTC.
const NOW = new Date('2026-03-14T15:30:00Z');

class DefaultsController {
  plain() {}
  @RequireAge({ min: 19 })
  adult() {}
  @RequireAge({ mode: 'calendar-year' })
  calendar() {}
  @RequireAge({ min: 19, mode: 'calendar-year' })
  adultCalendar() {}
}

@RequireAge({ min: 19, mode: 'calendar-year' })
class AdultController {
  inherited() {}
  @RequireAge({ min: 14 })
  overridden() {}
  @RequireAge()
  emptyOverride() {}
}

function contextFor(cls: { prototype: object }, method: string, req: FakeRequest): ExecutionContext {
  const handler = (cls.prototype as Record<string, () => void>)[method];
  return new ExecutionContextHost([req, {}, () => undefined], cls as never, handler);
}

async function build(options: AgePolicyModuleOptions = {}, resolver: AgeSubjectResolver | null = new RequestBirthdayResolver()) {
  // A consumer module: imports AgePolicyModule and provides the guard and the resolver itself.
  class GuardHostModule {}
  Module({
    imports: [AgePolicyModule.forRoot({ clock: () => NOW, ...options })],
    providers: [AgePolicyGuard, ...(resolver ? [{ provide: AGE_SUBJECT_RESOLVER, useValue: resolver }] : [])],
  })(GuardHostModule);
  const moduleRef = await Test.createTestingModule({ imports: [GuardHostModule] }).compile();
  // strict: the consumer's guard (where the resolver is), not the one AgePolicyModule exports
  return { moduleRef, guard: moduleRef.select(GuardHostModule).get(AgePolicyGuard, { strict: true }) };
}

async function outcome(guard: AgePolicyGuard, ctx: ExecutionContext): Promise<true | AgeRestrictedError> {
  try {
    const result = await guard.canActivate(ctx);
    expect(result).toBe(true); // the guard never answers false: it throws the domain error
    return true;
  } catch (error) {
    if (error instanceof AgeRestrictedError) return error;
    throw error;
  }
}

describe('AgePolicyGuard with module defaults (14, international)', () => {
  let moduleRef: TestingModule;
  let guard: AgePolicyGuard;

  beforeAll(async () => {
    ({ moduleRef, guard } = await build());
  });
  afterAll(() => moduleRef.close());

  it('applies the defaults without @RequireAge: 14th birthday today in Seoul', async () => {
    expect(await outcome(guard, contextFor(DefaultsController, 'plain', { birthday: '2012-03-15' }))).toBe(true);
  });

  it('refuses one day short, with min_age and policy in the error', async () => {
    const error = await outcome(guard, contextFor(DefaultsController, 'plain', { birthday: '2012-03-16' }));
    expect(error).toBeInstanceOf(AgeRestrictedError);
    expect(error).toMatchObject({ code: 'AGE_RESTRICTED', status: 403, details: { min_age: 14, policy: 'international' } });
  });

  it('uses the handler min with the default mode', async () => {
    expect(await outcome(guard, contextFor(DefaultsController, 'adult', { birthday: '2007-03-15' }))).toBe(true);
    const error = await outcome(guard, contextFor(DefaultsController, 'adult', { birthday: '2007-03-16' }));
    expect(error).toMatchObject({ details: { min_age: 19, policy: 'international' } });
  });

  it('uses the handler mode with the default min', async () => {
    // born 31 Dec 2012: calendar-year age 14 in 2026, international age 13
    expect(await outcome(guard, contextFor(DefaultsController, 'calendar', { birthday: '2012-12-31' }))).toBe(true);
    expect(await outcome(guard, contextFor(DefaultsController, 'plain', { birthday: '2012-12-31' }))).toBeInstanceOf(AgeRestrictedError);
    const error = await outcome(guard, contextFor(DefaultsController, 'calendar', { birthday: '2013-01-01' }));
    expect(error).toMatchObject({ details: { min_age: 14, policy: 'calendar-year' } });
  });

  it('uses both handler settings', async () => {
    expect(await outcome(guard, contextFor(DefaultsController, 'adultCalendar', { birthday: '2007-12-31' }))).toBe(true);
    expect(await outcome(guard, contextFor(DefaultsController, 'adultCalendar', { birthday: '2008-01-01' }))).toMatchObject({
      details: { min_age: 19, policy: 'calendar-year' },
    });
  });

  it('class metadata applies to its handlers', async () => {
    expect(await outcome(guard, contextFor(AdultController, 'inherited', { birthday: '2007-12-31' }))).toBe(true);
    expect(await outcome(guard, contextFor(AdultController, 'inherited', { birthday: '2008-01-01' }))).toMatchObject({
      details: { min_age: 19, policy: 'calendar-year' },
    });
  });

  it('handler metadata overrides the class metadata entirely (missing fields from module defaults)', async () => {
    // overridden: { min: 14 } -> mode is the module default (international), not the class's calendar-year
    expect(await outcome(guard, contextFor(AdultController, 'overridden', { birthday: '2012-03-15' }))).toBe(true);
    expect(await outcome(guard, contextFor(AdultController, 'overridden', { birthday: '2012-12-31' }))).toMatchObject({
      details: { min_age: 14, policy: 'international' },
    });
    // emptyOverride: {} -> the module defaults
    expect(await outcome(guard, contextFor(AdultController, 'emptyOverride', { birthday: '2012-03-15' }))).toBe(true);
  });

  it('lets the request through when the resolver finds no birthday', async () => {
    expect(await outcome(guard, contextFor(DefaultsController, 'adult', { birthday: null }))).toBe(true);
    expect(await outcome(guard, contextFor(DefaultsController, 'adult', {}))).toBe(true);
  });

  it('fails on a malformed birthday from the resolver (fail closed)', async () => {
    await expect(guard.canActivate(contextFor(DefaultsController, 'plain', { birthday: '2012-02-30' }))).rejects.toThrow(TypeError);
  });

  it('also works with a minimal hand-written context', async () => {
    const ctx = {
      getHandler: () => DefaultsController.prototype.adult,
      getClass: () => DefaultsController,
      switchToHttp: () => ({ getRequest: () => ({ birthday: '2010-01-01' }) }),
    } as unknown as ExecutionContext;
    expect(await outcome(guard, ctx)).toMatchObject({ details: { min_age: 19 } });
  });
});

describe('AgePolicyGuard with configured defaults', () => {
  it('uses forRoot minAge and mode', async () => {
    const { moduleRef, guard } = await build({ minAge: 19, mode: 'calendar-year' });
    expect(await outcome(guard, contextFor(DefaultsController, 'plain', { birthday: '2007-12-31' }))).toBe(true);
    expect(await outcome(guard, contextFor(DefaultsController, 'plain', { birthday: '2008-01-01' }))).toMatchObject({
      details: { min_age: 19, policy: 'calendar-year' },
    });
    await moduleRef.close();
  });

  it('follows the clock across midnight in Seoul', async () => {
    let now = new Date('2026-03-14T14:59:59Z');
    const { moduleRef, guard } = await build({ clock: () => now });
    const ctx = contextFor(DefaultsController, 'plain', { birthday: '2012-03-15' });
    expect(await outcome(guard, ctx)).toBeInstanceOf(AgeRestrictedError);
    now = new Date('2026-03-14T15:00:00Z');
    expect(await outcome(guard, ctx)).toBe(true);
    await moduleRef.close();
  });
});

describe('AgePolicyGuard without a resolver', () => {
  it('can be constructed (the resolver is optional) and throws a clear error when it runs', async () => {
    const { moduleRef, guard } = await build({}, null);
    await expect(guard.canActivate(contextFor(DefaultsController, 'plain', { birthday: '2000-01-01' }))).rejects.toThrow(
      /AgePolicyGuard has no AGE_SUBJECT_RESOLVER/,
    );
    await moduleRef.close();
  });

  it('the guard exported by AgePolicyModule.forRoot resolves and explains what is missing', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AgePolicyModule.forRoot({})] }).compile();
    const guard = moduleRef.get(AgePolicyGuard);
    expect(guard).toBeInstanceOf(AgePolicyGuard);
    await expect(guard.canActivate(contextFor(DefaultsController, 'plain', {}))).rejects.toThrow(/AGE_SUBJECT_RESOLVER/);
    await moduleRef.close();
  });
});

describe('AgePolicyService', () => {
  it('check throws AgeRestrictedError and returns the evaluation otherwise', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AgePolicyModule.forRoot({ clock: () => NOW })] }).compile();
    const service = moduleRef.get(AgePolicyService);
    expect(service.defaults).toEqual({ minAge: 14, mode: 'international' });
    expect(service.today()).toBe('2026-03-15');
    expect(service.check('2012-03-15')).toEqual({ allowed: true, age: 14, minAge: 14, mode: 'international', today: '2026-03-15' });
    expect(() => service.check('2012-03-16')).toThrow(AgeRestrictedError);
    expect(service.evaluate('2012-03-16', { min: 13 })).toMatchObject({ allowed: true, age: 13, minAge: 13 });
    expect(service.resolve({ mode: 'calendar-year' })).toEqual({ minAge: 14, mode: 'calendar-year' });
    await moduleRef.close();
  });

  it.each([
    [{ minAge: -1 }, /minAge/],
    [{ minAge: 14.5 }, /minAge/],
    [{ mode: 'korean' as never }, /mode/],
    [{ clock: 'now' as never }, /clock/],
  ])('rejects bad module options %p at boot', async (options, message) => {
    await expect(Test.createTestingModule({ imports: [AgePolicyModule.forRoot(options)] }).compile()).rejects.toThrow(message);
  });

  it('forRootAsync resolves options from a factory', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [AgePolicyModule.forRootAsync({ useFactory: async () => ({ minAge: 19, mode: 'calendar-year' as const }) })],
    }).compile();
    expect(moduleRef.get(AgePolicyService).defaults).toEqual({ minAge: 19, mode: 'calendar-year' });
    await moduleRef.close();
  });
});

describe('RequireAge', () => {
  it('rejects invalid requirements when the decorator is evaluated', () => {
    expect(() => RequireAge({ min: -1 })).toThrow(TypeError);
    expect(() => RequireAge({ min: 1.5 })).toThrow(TypeError);
    expect(() => RequireAge({ mode: 'korean' as never })).toThrow(TypeError);
  });
});

describe('wiring in a consumer module over HTTP', () => {
  // What an app does: import the module, provide the resolver, guard a controller.
  @Injectable()
  class HeaderBirthdayResolver implements AgeSubjectResolver {
    // A test stand-in: a real resolver reads the verified birthday from the database.
    async resolveBirthday(context: ExecutionContext): Promise<string | null> {
      const value = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers['x-test-birthday'];
      return value ?? null;
    }
  }

  @Controller('signup')
  @UseGuards(AgePolicyGuard)
  class SignupController {
    @Get('default')
    byDefault() {
      return { ok: true };
    }

    @Get('adult')
    @RequireAge({ min: 19 })
    adult() {
      return { ok: true };
    }
  }

  @Module({
    imports: [AgePolicyModule.forRoot({ clock: () => NOW })],
    controllers: [SignupController],
    providers: [{ provide: AGE_SUBJECT_RESOLVER, useClass: HeaderBirthdayResolver }],
  })
  class SignupModule {}

  @Controller('orphan')
  @UseGuards(AgePolicyGuard)
  class OrphanController {
    @Get()
    get() {
      return { ok: true };
    }
  }

  @Module({ imports: [AgePolicyModule.forRoot({})], controllers: [OrphanController] })
  class OrphanModule {}

  /** Stands in for the api's DomainError filter. */
  @Catch(AgeRestrictedError)
  class AgeRestrictedFilter implements ExceptionFilter {
    catch(error: AgeRestrictedError, host: ArgumentsHost) {
      host
        .switchToHttp()
        .getResponse<{ status(code: number): { json(body: unknown): void } }>()
        .status(error.status)
        .json({ error: { code: error.code, message: error.message, details: error.details } });
    }
  }

  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [SignupModule, OrphanModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.useGlobalFilters(new AgeRestrictedFilter());
    await app.init();
  });
  afterAll(() => app.close());

  it('allows, refuses and passes through as configured', async () => {
    const server = app.getHttpServer();
    await request(server).get('/signup/default').set('x-test-birthday', '2012-03-15').expect(200, { ok: true });
    await request(server).get('/signup/adult').set('x-test-birthday', '2007-03-15').expect(200);
    await request(server).get('/signup/default').expect(200); // no birthday: the handler decides
    const refused = await request(server).get('/signup/adult').set('x-test-birthday', '2007-03-16').expect(403);
    expect(refused.body.error).toMatchObject({ code: 'AGE_RESTRICTED', details: { min_age: 19, policy: 'international' } });
    expect(JSON.stringify(refused.body)).not.toContain('2007');
    const refusedDefault = await request(server).get('/signup/default').set('x-test-birthday', '2012-03-16').expect(403);
    expect(refusedDefault.body.error.details).toEqual({ min_age: 14, policy: 'international' });
  });

  it('a controller in a module without a resolver fails loudly, not open', async () => {
    await request(app.getHttpServer()).get('/orphan').set('x-test-birthday', '1990-01-01').expect(500);
  });
});
