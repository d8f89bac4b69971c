// The console's shared state: who is logged in, and the live snapshot the stream keeps current.
const RANK = { operator: 0, supervisor: 1, admin: 2 };
export const ROLE_NAME = { operator: '收费员', supervisor: '值班主管', admin: '管理员' };

export const store = {
  user: undefined,
  state: undefined,
  view: 'live',
  atLeast(role) {
    return !!this.user && RANK[this.user.role] >= RANK[role];
  },
};
