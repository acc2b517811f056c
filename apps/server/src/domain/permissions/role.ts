import type { RoleScope } from './catalogue.js';

export interface Role {
  readonly id: string;
  readonly name: string;
  readonly scope: RoleScope;
  readonly description: string;
  /** Built-in roles cannot be deleted. */
  readonly protected: boolean;
  readonly mandatory2fa: boolean;
  readonly updatedAt: number;
}

export interface Permission {
  readonly id: string;
  readonly roles: readonly string[];
  readonly updatedAt: number;
}
