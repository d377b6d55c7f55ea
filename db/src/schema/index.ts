export * from './accounts.ts';
export * from './git-tokens.ts';
export * from './keys.ts';
export * from './prices.ts';
export * from './projects.ts';
export * from './usage.ts';
export * from './remotes.ts';
