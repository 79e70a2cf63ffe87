/** Which methods an app's routes answer on a path, for 405 `Allow` (Hono's routers only say "no match"). */

/** A registered route as Hono lists it in `app.routes`. */
export interface RouteInfo {
  method: string;
  path: string;
}

/** A Hono route pattern (`/v2/models/:name/infer`, `/demo/*`) as a regular expression over request paths. */
function patternRegex(path: string): RegExp {
  let src = "";
  for (const part of path.split("/").slice(1)) {
    if (part === "*") src += "(?:/.*)?";
    else if (part.startsWith(":")) src += "/[^/]+";
    else src += `/${part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`;
  }
  return new RegExp(`^${src || "/"}/?$`);
}

/**
 * A lookup of the methods routes answer per path; middleware (`ALL`) is not a route. GET implies HEAD.
 * @example allowedMethods(app.routes)("/v1/predict") // ["POST"]
 */
export function allowedMethods(routes: readonly RouteInfo[]): (path: string) => string[] {
  const compiled = routes
    .filter((r) => r.method !== "ALL")
    .map((r) => ({ method: r.method.toUpperCase(), re: patternRegex(r.path) }));
  return (path) => {
    const methods = new Set<string>();
    for (const r of compiled) if (r.re.test(path)) methods.add(r.method);
    if (methods.has("GET")) methods.add("HEAD");
    return [...methods].sort();
  };
}
