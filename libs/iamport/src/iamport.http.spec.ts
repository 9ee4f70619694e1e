import axios, { type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios';
import { dropEmptyHeaderBuckets, iamportHttpOptions } from './iamport.http';

describe('dropEmptyHeaderBuckets', () => {
  it('drops only the empty per-method buckets; the headers a request carries stay the same', async () => {
    const seen: InternalAxiosRequestConfig[] = [];
    const adapter: AxiosAdapter = async (config) => {
      seen.push(config);
      return { data: '', status: 200, statusText: 'OK', headers: {}, config };
    };
    const options = iamportHttpOptions({ baseUrl: 'http://127.0.0.1:9', impKey: 'k', impSecret: 's' });
    const build = () => {
      const instance = axios.create({ ...(options as Parameters<typeof axios.create>[0]), adapter });
      instance.defaults.headers.post['X-Post-Only'] = 'yes';
      return instance;
    };
    const plain = build();
    const pruned = build();
    dropEmptyHeaderBuckets(pruned);

    const buckets = pruned.defaults.headers as unknown as Record<string, unknown>;
    expect(buckets.get).toBeUndefined();
    expect(buckets.delete).toBeUndefined();
    expect(buckets.post).toEqual({ 'X-Post-Only': 'yes' });
    expect(buckets.common).toBeDefined();

    for (const instance of [plain, pruned]) {
      await instance.request({ method: 'POST', url: '/a', data: '{}', headers: { Authorization: 'Bearer t' } });
      await instance.request({ method: 'GET', url: '/b' });
    }
    const headersOf = (config: InternalAxiosRequestConfig) => JSON.stringify(config.headers.toJSON());
    expect(headersOf(seen[2])).toBe(headersOf(seen[0]));
    expect(headersOf(seen[3])).toBe(headersOf(seen[1]));
    expect(seen[2].headers.get('X-Post-Only')).toBe('yes');
    expect(seen[3].headers.get('X-Post-Only')).toBeUndefined();
  });
});
