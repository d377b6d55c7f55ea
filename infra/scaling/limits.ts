/**
 * The engines' published limits the plan is checked against, each with the document it comes from
 * (title and address as found on 2026-12-05) and the demand of the model it meets. A limit no source
 * gave is marked as an assumption.
 */
import { neonPoolSize, type WeighedLimit } from './model.ts';

const CF_DO_LIMITS =
  'Cloudflare Durable Objects, "Limits": https://developers.cloudflare.com/durable-objects/platform/limits/';
const CF_DO_FAQ =
  'Cloudflare Durable Objects, "FAQs": https://developers.cloudflare.com/durable-objects/reference/faq/';
const CF_DO_WS =
  'Cloudflare Durable Objects, "Use WebSockets": https://developers.cloudflare.com/durable-objects/best-practices/websockets/';
const NEON_POOLING = 'Neon, "Connection pooling": https://neon.com/docs/connect/connection-pooling';
const UPSTASH_BILLING =
  'Upstash Redis, "Pricing & Billing": https://website-6koc79o81-upstash.vercel.app/docs/redis/overall/billing.md';
const K8S_LARGE =
  'Kubernetes, "Considerations for large clusters": https://kubernetes.io/zh/docs/setup/best-practices/cluster-large';

/** Every limit the simulation weighs, with the demand it meets. */
export const LIMITS: ReadonlyArray<WeighedLimit> = [
  {
    engine: 'Durable Objects',
    what: 'requests per second to one object (soft)',
    value: 1000,
    unit: 'req/s',
    source: CF_DO_FAQ,
    demand: (d) => d.doRequestsPerSecondPerObject,
  },
  {
    engine: 'Durable Objects',
    what: 'storage per object (one project a year)',
    value: 10_000,
    unit: 'MB',
    source: CF_DO_LIMITS,
    demand: (d) => d.doStoragePerProjectMbPerYear,
  },
  {
    engine: 'Durable Objects',
    what: 'WebSocket clients per object ("thousands", read as 1,000)',
    value: 1000,
    unit: 'sockets',
    source: CF_DO_WS,
    demand: (_d, a) => a.viewersPerActiveProject,
  },
  {
    engine: 'Neon',
    what: 'pooler client connections',
    value: 10_000,
    unit: 'conns',
    source: NEON_POOLING,
    demand: (d) => d.pgConnectionsInUse,
  },
  {
    engine: 'Neon',
    what: "pooler's server pool (90% of max_connections at the step's compute)",
    value: (a) => neonPoolSize(a.neonComputeCu),
    unit: 'conns',
    source: NEON_POOLING,
    demand: (d) => d.pgConnectionsInUse,
  },
  {
    engine: 'Upstash',
    what: 'commands per second (one database)',
    value: 10_000,
    unit: 'cmd/s',
    source: UPSTASH_BILLING,
    demand: (d) => d.redisCommandsPerSecond,
  },
  {
    engine: 'Upstash',
    what: 'commands per month on the free tier',
    value: 500_000,
    unit: 'cmd/mo',
    source: UPSTASH_BILLING,
    applies: (a) => a.upstashPlan === 'free',
    demand: (d) => d.redisCommandsPerMonth,
  },
  {
    engine: 'Upstash',
    what: 'bandwidth per month before it is billed (pay-as-you-go)',
    value: 200,
    unit: 'GB/mo',
    source: UPSTASH_BILLING,
    applies: (a) => a.upstashPlan === 'payg',
    demand: (d) => d.registryReadGbPerMonth,
  },
  {
    engine: 'Runners',
    what: 'nodes per Kubernetes cluster (one cluster per region)',
    value: 5000,
    unit: 'nodes',
    source: K8S_LARGE,
    demand: (d) => d.runnersPerRegion,
  },
  {
    engine: 'LLM (user keys)',
    what: "tokens per minute of one user's key at an entry tier",
    value: 30_000,
    unit: 'tok/min',
    source:
      'assumption: providers set limits per organization and usage tier (OpenAI, "Rate limits": https://developers.openai.com/api/docs/guides/rate-limits); 30,000 is a low tier, not a quoted figure',
    demand: (d) => d.llmTokensPerMinutePerUser,
  },
];
