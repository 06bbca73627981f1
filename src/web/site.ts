/**
 * What the server knows of how the public reaches it: the public URL (`publicUrl` in duban.config.yaml,
 * DUBAN_BASE_URL, or the plan's `campaign.baseUrl`). Served over https, its cookies are `Secure` and carry
 * the `__Host-` prefix, which a browser only accepts from this very host over https with `Path=/` and no
 * Domain, so neither a sibling subdomain nor a plain-http page on the path can plant or overwrite them.
 */
export interface Site {
  /** The public origin ("https://duban.example.gov.cn"), when known. */
  origin?: string;
  secure: boolean;
  cookies: { session: string; login: string };
}

export function siteOf(publicUrl: string | undefined): Site {
  let origin: string | undefined;
  try {
    origin = publicUrl ? new URL(publicUrl).origin : undefined;
  } catch {
    origin = undefined;
  }
  const secure = origin?.startsWith("https://") ?? false;
  const prefix = secure ? "__Host-" : "";
  return { ...(origin && origin !== "null" ? { origin } : {}), secure, cookies: { session: `${prefix}duban_session`, login: `${prefix}duban_login` } };
}

/** Every cookie of ours: script cannot read it, other sites' links do not send it on POSTs. */
export function cookieOptions(site: Site) {
  return { httpOnly: true, sameSite: "Lax" as const, path: "/", ...(site.secure ? { secure: true } : {}) };
}
