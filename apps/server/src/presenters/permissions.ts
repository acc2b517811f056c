import type { Permission, Role } from '../domain/permissions/role.js';
import type { Setting } from '../domain/settings/setting.js';
import type { DateStyle } from './rooms.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** A permission with its roles and ISO dates, as REST sends it (fits `permissions.map(presentPermission)`). */
export function presentPermission(p: Permission) {
  return presentPermissionDated(p, iso);
}

/** The same with dates in the given style: `ejsonDate` for DDP's `permissions/get`. */
export function presentPermissionDated<D>(p: Permission, date: DateStyle<D>) {
  return { _id: p.id, roles: [...p.roles], _updatedAt: date(p.updatedAt) };
}

export function presentRole(r: Role) {
  return {
    _id: r.id,
    name: r.name,
    scope: r.scope,
    description: r.description,
    protected: r.protected,
    mandatory2fa: r.mandatory2fa,
    _updatedAt: iso(r.updatedAt),
  };
}

/** `settings.public` items are `{ _id, value }`, as Rocket.Chat sends them; admins see more. */
export function presentSetting(s: Setting, detail: 'public' | 'admin') {
  if (detail === 'public') return { _id: s.id, value: s.value };
  return {
    _id: s.id,
    value: s.value,
    type: s.type,
    packageValue: s.packageValue,
    public: s.public,
    group: s.group,
    ...(s.values ? { values: s.values.map((v) => ({ ...v })) } : {}),
    _updatedAt: iso(s.updatedAt),
  };
}
