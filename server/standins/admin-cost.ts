import {
  type DocumentNode,
  type FragmentDefinitionNode,
  getNamedType,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  isCompositeType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type FieldNode,
} from "graphql";

// A rough model of Shopify's calculated query cost, close enough to exercise throttling: scalars and
// enums are free, each object is 1, a connection is 2 plus `first`/`last` times its node cost, a
// list looked up by `ids` (nodes) is one object per id, and a mutation is 10.
// https://shopify.dev/docs/api/usage/limits#cost-calculation

export const MUTATION_COST = 10;

export function computeQueryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): number {
  if (operation.operation === "mutation") {
    const mutations = operation.selectionSet.selections.filter((s) => s.kind === Kind.FIELD && !s.name.value.startsWith("__"));
    return Math.max(1, mutations.length) * MUTATION_COST;
  }
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const root = schema.getQueryType();
  return root ? selectionCost(root, operation.selectionSet) : 0;

  function selectionCost(parent: GraphQLCompositeType, selectionSet: SelectionSetNode): number {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        total += fieldCost(parent, selection);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typed = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (typed && isCompositeType(typed)) total += selectionCost(typed, selection.selectionSet);
      } else {
        const fragment = fragments.get(selection.name.value);
        const typed = fragment && schema.getType(fragment.typeCondition.name.value);
        if (fragment && typed && isCompositeType(typed)) total += selectionCost(typed, fragment.selectionSet);
      }
    }
    return total;
  }

  function fieldCost(parent: GraphQLCompositeType, node: FieldNode): number {
    if (node.name.value.startsWith("__")) return 0;
    const field = fieldOf(parent, node.name.value);
    if (!field) return 0;
    const type = getNamedType(field.type);
    if (isLeafType(type) || !node.selectionSet || !isCompositeType(type)) return 0;
    const inner = selectionCost(type, node.selectionSet);
    if (type.name.endsWith("Connection")) {
      const pageSize = intArgument(node, "first") ?? intArgument(node, "last") ?? 0;
      return 2 + pageSize * Math.max(1, inner);
    }
    const ids = listArgumentLength(node, "ids");
    if (ids !== undefined && isListType(isNonNullType(field.type) ? field.type.ofType : field.type)) {
      return ids * (1 + inner);
    }
    return 1 + inner;
  }

  function listArgumentLength(node: FieldNode, name: string): number | undefined {
    const argument = node.arguments?.find((a) => a.name.value === name);
    if (!argument) return undefined;
    const value = argument.value;
    if (value.kind === Kind.LIST) return value.values.length;
    if (value.kind === Kind.VARIABLE) {
      const given = variables[value.name.value];
      return Array.isArray(given) ? given.length : undefined;
    }
    return undefined;
  }

  function intArgument(node: FieldNode, name: string): number | undefined {
    const argument = node.arguments?.find((a) => a.name.value === name);
    if (!argument) return undefined;
    const value = argument.value;
    if (value.kind === Kind.INT) return Number(value.value);
    if (value.kind === Kind.VARIABLE) {
      const given = variables[value.name.value];
      return typeof given === "number" ? given : undefined;
    }
    return undefined;
  }
}

function fieldOf(parent: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
  return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
}
