import { describe, expect, it } from 'vitest';
import { api } from './helpers/api.ts';

interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, { security?: unknown[]; requestBody?: unknown }>>;
  components: {
    schemas: Record<string, { additionalProperties?: unknown; properties?: Record<string, unknown> }>;
    securitySchemes: Record<string, unknown>;
  };
}

describe('OpenAPI', () => {
  it('is generated from the route schemas, strict bodies and security included', async () => {
    const res = await api('/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = await res.json<OpenApiDoc>();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/health/live',
        '/api/auth/register',
        '/api/auth/login',
        '/api/auth/refresh',
        '/api/auth/logout',
        '/api/auth/me',
      ]),
    );
    expect(doc.paths['/api/auth/me']?.get?.security).toEqual([{ bearerAuth: [] }, { cookieAuth: [] }]);
    expect(doc.components.securitySchemes).toHaveProperty('bearerAuth');
    const register = doc.components.schemas.RegisterRequest;
    expect(register?.additionalProperties).toBe(false);
    expect(Object.keys(register?.properties ?? {})).toEqual(['email', 'password', 'delivery']);
    expect(doc.components.schemas).toHaveProperty('Error');
  });
});
