import type { OrganisationKind, Role } from '../../db/schema.js';

// Japanese labels for the organisation domain (STYLE.md 10: Japanese only in labels and messages).
export const ORG_KIND_LABEL: Record<OrganisationKind, string> = {
  ministry: '経済産業省',
  secretariat: '事務局',
  case_study_operator: 'ケーススタディ教育プログラム 補助事業者(2層)',
  regional_hub: '地域ハブ団体(3層)',
};

export const ROLE_LABEL: Record<Role, string> = {
  admin: '管理者',
  staff: '担当者',
  reviewer: '審査担当',
  viewer: '閲覧者',
};

export const ORG_KINDS = [
  'ministry',
  'secretariat',
  'case_study_operator',
  'regional_hub',
] as const satisfies readonly OrganisationKind[];
export const ROLES = ['admin', 'staff', 'reviewer', 'viewer'] as const satisfies readonly Role[];
