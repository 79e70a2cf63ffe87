/** Whether dist/cli.js exists and is at least as new as every source it bundles (bin/cli-bundle.js). */
export function freshCliBundle(root: string): boolean;
