// A real OpenID Connect provider for local development and the web tests (npm oidc-provider 9,
// a certified implementation), configured with the demo organisations' people.
//
// Development only: its sign-in page is oidc-provider's development interaction, which asks for a
// login (the person's user id, e.g. staff-north) and accepts any password. A deployment uses the
// local authority's or school's own identity provider, which asserts the same claims.
//
// Environment: AP_OIDC_PORT, AP_OIDC_ISSUER (default http://localhost:<port>), AP_OIDC_PEOPLE (a JSON
// file: [{sub, name, org, org_kind, roles}]), AP_OIDC_CLIENT_SECRET, AP_OIDC_REDIRECT_URIS (space separated).
import { readFileSync } from 'node:fs'

const moduleUrl = new URL('../../services/web/node_modules/oidc-provider/lib/index.js', import.meta.url)
const { default: Provider } = await import(moduleUrl.href)

const port = Number(process.env.AP_OIDC_PORT || 59400)
const issuer = process.env.AP_OIDC_ISSUER || `http://localhost:${port}`
const people = new Map(JSON.parse(readFileSync(process.env.AP_OIDC_PEOPLE, 'utf8')).map((p) => [p.sub, p]))
const PLATFORM_CLAIMS = ['name', 'org', 'org_kind', 'roles']

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'ap-web',
    client_secret: process.env.AP_OIDC_CLIENT_SECRET,
    redirect_uris: (process.env.AP_OIDC_REDIRECT_URIS || '').split(' ').filter(Boolean),
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  // The platform's claims: the person's organisation, its kind and their roles.
  claims: { openid: ['sub'], profile: ['name'], platform: ['org', 'org_kind', 'roles'] },
  scopes: ['openid', 'profile', 'platform'],
  conformIdTokenClaims: false, // the ID token carries the claims (the web app reads them from it)
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: [process.env.AP_OIDC_COOKIE_KEY || 'local-development-only'] },
  async findAccount (ctx, id) {
    const person = people.get(id)
    if (!person) return undefined // an unknown login signs nobody in
    return { accountId: id, async claims () { return { ...person } } }
  },
  // The web service is first-party: no consent screen; the grant is the platform's claims only.
  async loadExistingGrant (ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
    })
    grant.addOIDCScope('openid profile platform')
    grant.addOIDCClaims(PLATFORM_CLAIMS)
    await grant.save()
    return grant
  },
})
provider.proxy = false
provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer} with ${people.size} people`)
})
