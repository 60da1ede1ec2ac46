/** The two pages: the form (`/`) and a job's permalink (`/r/<id>`), kept in the address bar. */
export type Route = { page: 'home' } | { page: 'job'; id: string };

const JOB_PATH = /^\/r\/([0-9a-f-]{36})$/;

export function currentRoute(): Route {
  const match = location.pathname.match(JOB_PATH);
  return match ? { page: 'job', id: match[1]! } : { page: 'home' };
}

export function jobPath(id: string): string {
  return `/r/${id}`;
}
