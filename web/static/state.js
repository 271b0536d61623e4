// Shared session state: who is signed in, the team and the bots.
import { api } from './api.js';

export const state = {
  me: null, // Member
  members: new Map(), // id -> Member
  bots: new Map(), // id -> Bot
  badge: 0,
};

/** canWrite tells whether the signed-in member may change chats. */
export function canWrite() {
  return !!state.me && state.me.role !== 'follower';
}

/** isAdmin tells whether the signed-in member is an admin. */
export function isAdmin() {
  return !!state.me && state.me.role === 'admin';
}

/** memberName names a member by id. */
export function memberName(id) {
  const m = state.members.get(id);
  return m ? m.name || m.email : id || '';
}

/** loadTeam reads the members and the bots. */
export async function loadTeam() {
  let cursor = '';
  for (let i = 0; i < 20; i++) {
    const page = await api('GET', '/v1/members', { query: { limit: 200, cursor } });
    for (const m of page.items || []) state.members.set(m.id, m);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  const bots = await api('GET', '/v1/bots');
  state.bots.clear();
  for (const b of bots.items || []) state.bots.set(b.id, b);
}
