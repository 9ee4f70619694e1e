import { ConfigurableModuleBuilder } from '@nestjs/common';
import { CERTIFICATION_MODULE_OPTIONS } from './certification.constants';
import type { CertificationModuleExtras, CertificationModuleOptions } from './certification.options';

export const {
  ConfigurableModuleClass: CertificationConfigurableModuleClass,
  OPTIONS_TYPE: CERTIFICATION_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: CERTIFICATION_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<CertificationModuleOptions>({
  moduleName: 'Certification',
  optionsInjectionToken: CERTIFICATION_MODULE_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setExtras<CertificationModuleExtras>({ isGlobal: false, controller: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal === true,
  }))
  .build();

export type CertificationModuleForRootOptions = typeof CERTIFICATION_OPTIONS_TYPE;
export type CertificationModuleForRootAsyncOptions = typeof CERTIFICATION_ASYNC_OPTIONS_TYPE;
