/** A Kysely plugin that counts the statements of one kind sent through it (`db.withPlugin(counter)`). */
import type { KyselyPlugin, PluginTransformQueryArgs, RootOperationNode } from 'kysely';

export class CountQueries implements KyselyPlugin {
  count = 0;

  constructor(private readonly kind: RootOperationNode['kind']) {}

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (args.node.kind === this.kind) this.count++;
    return args.node;
  }

  async transformResult<T>(args: { result: T }): Promise<T> {
    return args.result;
  }
}
