import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { BlindIndex, PiiCipher, PiiConfigError, PiiModule, generateKeyMaterial } from './index';

describe('PiiModule', () => {
  const material = generateKeyMaterial();

  it('forRoot provides a working PiiCipher and BlindIndex', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [PiiModule.forRoot(material)] }).compile();
    const cipher = moduleRef.get(PiiCipher);
    const index = moduleRef.get(BlindIndex);
    expect(cipher.decrypt(cipher.encrypt('홍길동', 'name_enc'), 'name_enc')).toBe('홍길동');
    expect(cipher.activeKid).toBe(material.encryptionKeys.split(':')[0]);
    expect(index.compute('ci', 'x')).toBe(BlindIndex.fromConfig(material.hmacKey).compute('ci', 'x'));
    await moduleRef.close();
  });

  it('forRootAsync resolves options from a factory', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [PiiModule.forRootAsync({ useFactory: async () => material })],
    }).compile();
    const token = PiiCipher.fromConfig(material.encryptionKeys).encrypt('01012345678', 'name_enc');
    expect(moduleRef.get(PiiCipher).decrypt(token, 'name_enc')).toBe('01012345678');
    await moduleRef.close();
  });

  it('fails at boot on bad keys, without echoing them', async () => {
    const short = randomBytes(16).toString('base64');
    const attempt = Test.createTestingModule({
      imports: [PiiModule.forRoot({ encryptionKeys: `k1:${short}`, hmacKey: material.hmacKey })],
    }).compile();
    await expect(attempt).rejects.toThrow(PiiConfigError);
    await expect(
      Test.createTestingModule({ imports: [PiiModule.forRoot({ encryptionKeys: `k1:${short}`, hmacKey: material.hmacKey })] }).compile(),
    ).rejects.not.toThrow(new RegExp(short.replace(/[+/=]/g, '.')));
  });

  it('fails at boot on a missing HMAC key', async () => {
    await expect(
      Test.createTestingModule({
        imports: [PiiModule.forRoot({ encryptionKeys: material.encryptionKeys, hmacKey: '' })],
      }).compile(),
    ).rejects.toThrow(/PII_HMAC_KEY is empty/);
  });

  @Injectable()
  class Consumer {
    constructor(readonly cipher: PiiCipher) {}
  }

  @Module({ providers: [Consumer], exports: [Consumer] })
  class FeatureModule {}

  it('is not global by default', async () => {
    await expect(
      Test.createTestingModule({ imports: [PiiModule.forRoot(material), FeatureModule] }).compile(),
    ).rejects.toThrow(/PiiCipher/);
  });

  it('isGlobal makes the providers visible to other modules', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [PiiModule.forRoot({ ...material, isGlobal: true }), FeatureModule],
    }).compile();
    expect(moduleRef.get(Consumer).cipher).toBe(moduleRef.get(PiiCipher));
    await moduleRef.close();
  });
});
