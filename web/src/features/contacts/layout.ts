/**
 * Where each person of a decision map stands: the reports-to lines as a forest, managers above their
 * reports, each subtree as wide as its leaves, drawn top-down. A line that would loop (which the
 * server refuses, but a person whose manager left the list is possible) makes that person a root.
 */
export type MapPerson = { id: string; reportsToId: string | null };
export type Position = { x: number; y: number; depth: number };

export const COLUMN_WIDTH = 180;
export const ROW_HEIGHT = 130;

export function layoutForest(people: readonly MapPerson[]): Map<string, Position> {
  const ids = new Set(people.map((person) => person.id));
  const children = new Map<string, string[]>();
  const roots: string[] = [];
  for (const person of people) {
    const manager = person.reportsToId;
    if (manager === null || !ids.has(manager) || manager === person.id) roots.push(person.id);
    else children.set(manager, [...(children.get(manager) ?? []), person.id]);
  }
  const positions = new Map<string, Position>();
  let column = 0;
  const place = (id: string, depth: number, path: Set<string>) => {
    if (positions.has(id) || path.has(id)) return;
    path.add(id);
    const kids = (children.get(id) ?? []).filter((kid) => !positions.has(kid));
    if (kids.length === 0) {
      positions.set(id, { x: column * COLUMN_WIDTH, y: depth * ROW_HEIGHT, depth });
      column += 1;
    } else {
      for (const kid of kids) place(kid, depth + 1, path);
      const placed = kids.map((kid) => positions.get(kid)).filter((p): p is Position => p !== undefined);
      const x = placed.length === 0 ? column++ * COLUMN_WIDTH : (placed[0]!.x + placed[placed.length - 1]!.x) / 2;
      positions.set(id, { x, y: depth * ROW_HEIGHT, depth });
    }
    path.delete(id);
  };
  for (const root of roots) place(root, 0, new Set());
  // People on a loop of reports-to lines (no root leads to them) start trees of their own.
  for (const person of people) if (!positions.has(person.id)) place(person.id, 0, new Set());
  return positions;
}
