import type { FactoryProvider } from '@nestjs/common';
import { IamportClient } from '@app/iamport';
import { PortOneClient } from '@app/portone';
import { CERTIFICATION_RESOLVED_OPTIONS, IDENTITY_PROVIDER } from '../certification.constants';
import type { ResolvedCertificationOptions } from '../certification.options';
import { IamportIdentityProvider } from './iamport.provider';
import type { IdentityProvider } from './identity-provider';
import { PortOneIdentityProvider } from './portone.provider';

/** The configured provider, on the client the host provides (only the chosen one's module is needed). */
export const identityProvider: FactoryProvider<IdentityProvider> = {
  provide: IDENTITY_PROVIDER,
  inject: [CERTIFICATION_RESOLVED_OPTIONS, { token: IamportClient, optional: true }, { token: PortOneClient, optional: true }],
  useFactory: (options: ResolvedCertificationOptions, iamport?: IamportClient, portone?: PortOneClient) => {
    if (options.provider === 'portone') {
      if (!portone) throw new Error('CertificationModule: provider portone needs PortOneClient (PortOneModule)');
      return new PortOneIdentityProvider(portone, options.portone!.channelKey);
    }
    if (!iamport) throw new Error('CertificationModule: provider iamport needs IamportClient (IamportModule)');
    return new IamportIdentityProvider(iamport);
  },
};
