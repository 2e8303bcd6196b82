import type { Tx } from "../storage/db.js";

export interface ProjectRow {
  id: string;
  name: string;
  api_key: string;
  is_active: boolean;
  deactivated_at: Date | null;
  created_at: Date;
  updated_at: Date;
  monthly_budget_nanos: number | null;
}

export async function insertProject(q: Tx, row: { id: string; name: string; api_key: string; monthly_budget_nanos: number | null }): Promise<ProjectRow> {
  const [created] = await q<ProjectRow[]>`
    INSERT INTO projects (id, name, api_key, monthly_budget_nanos) VALUES (${row.id}, ${row.name}, ${row.api_key}, ${row.monthly_budget_nanos})
    ON CONFLICT (name) DO NOTHING
    RETURNING *
  `;
  return created as ProjectRow;
}

export async function allProjects(q: Tx): Promise<ProjectRow[]> {
  return q<ProjectRow[]>`SELECT * FROM projects ORDER BY name ASC`;
}

export async function findProject(q: Tx, id: string, forUpdate = false): Promise<ProjectRow | undefined> {
  const [row] = forUpdate
    ? await q<ProjectRow[]>`SELECT * FROM projects WHERE id = ${id} FOR UPDATE`
    : await q<ProjectRow[]>`SELECT * FROM projects WHERE id = ${id}`;
  return row;
}

export interface ProjectChanges {
  name?: string;
  api_key?: string;
  is_active?: boolean;
  deactivated_at?: Date | null;
  monthly_budget_nanos?: number | null;
}

/** Returns undefined when another project already has the new name. */
export async function updateProjectRow(q: Tx, id: string, changes: ProjectChanges): Promise<ProjectRow | undefined> {
  const set: Record<string, unknown> = { ...changes, updated_at: new Date() };
  const [row] = await q<ProjectRow[]>`
    UPDATE projects SET ${q(set as Record<string, string>)}
    WHERE id = ${id}
      AND NOT EXISTS (SELECT 1 FROM projects other WHERE other.name = ${changes.name ?? null} AND other.id <> ${id})
    RETURNING *
  `;
  return row;
}

/** The data plane's view of a project: is it active, its (sealed) upstream key, its monthly budget. */
export async function projectAccess(q: Tx, id: string): Promise<{ is_active: boolean; api_key: string; monthly_budget_nanos: number | null } | undefined> {
  const [row] = await q<{ is_active: boolean; api_key: string; monthly_budget_nanos: number | null }[]>`
    SELECT is_active, api_key, monthly_budget_nanos FROM projects WHERE id = ${id}
  `;
  return row;
}
