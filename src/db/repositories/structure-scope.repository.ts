import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import { type Action, scopeOf } from '../../domain/accounts/policy.js';
import type { Principal } from '../../domain/accounts/roles.js';
import type { DB } from '../schema/index.js';

type StructuresEb = ExpressionBuilder<DB, 'structures'>;

export interface ScopeOptions {
  /**
   * For the `assigned` scope (auditors): the structures under an audit assigned to the user.
   * The labelling capability passes it; without it, `assigned` matches nothing.
   */
  readonly assigned?: (eb: StructuresEb, userId: string) => Expression<SqlBool>;
}

/**
 * The structures a user may see for an action, as a where-clause: lists are filtered in the
 * database, never after loading. Same matrix as `can()`. Only the structures repository
 * (directory.repository.ts, the one module that queries `structures`) applies it, e.g.
 * `findScopedStructure`, `listScopedStructures`.
 */
export function structureScope(user: Principal, action: Action, options: ScopeOptions = {}) {
  const scope = scopeOf(user.role, action);
  return (eb: StructuresEb): Expression<SqlBool> => {
    switch (scope) {
      case 'all':
        return sql<SqlBool>`true`;
      case 'department':
        return user.departement === null
          ? sql<SqlBool>`false`
          : eb('structures.departement', '=', user.departement);
      case 'own':
        return eb(
          'structures.id',
          'in',
          eb
            .selectFrom('user_structures')
            .select('user_structures.structure_id')
            .where('user_structures.user_id', '=', user.id),
        );
      case 'assigned':
        return options.assigned ? options.assigned(eb, user.id) : sql<SqlBool>`false`;
      default:
        return sql<SqlBool>`false`;
    }
  };
}
