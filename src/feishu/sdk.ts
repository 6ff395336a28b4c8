/**
 * The Feishu SDK, loaded with `require`. It is one 6 MB CommonJS file: imported from ESM, Node scans
 * it for named exports (cjs-module-lexer) and, under tsx, passes it through the loader hooks too —
 * ~0.6 s and ~60 MB more at every start than requiring it (BENCHMARKS.md, start-up). Types still come
 * from `import type * as lark from '@larksuiteoapi/node-sdk'`.
 */
import { createRequire } from 'node:module';
import type * as Lark from '@larksuiteoapi/node-sdk';

export const sdk: typeof Lark = createRequire(import.meta.url)('@larksuiteoapi/node-sdk');
