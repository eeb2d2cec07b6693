import type { BuildOptions } from 'esbuild';

export const NODE_BUNDLE: BuildOptions;
export const HOST_BUNDLE: BuildOptions;
