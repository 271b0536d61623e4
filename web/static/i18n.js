// English and Spanish strings. The language comes from localStorage (the
// user's choice) or navigator.language; t(key, vars) fills {name} slots.

const KEY = 'sb.lang';

/** LANGS lists the console's languages. */
export const LANGS = [{ code: 'en', name: 'English' }, { code: 'es', name: 'Español' }];

const en = {
  join_team: 'Join your team', join_team_why: 'Choose your name and a password (at least 8 characters) to open the inbox.', join: 'Join', bad_invite: 'This invite link is invalid, used or expired; ask an admin for a new one.',
  add_note: 'Add note', agent: 'Agent', all_bots: 'All bots', assign_me: 'Assign to me', assigned_to: 'assigned to {name}',
  assignee: 'Assignee', assignment: 'Assignment', attach: 'Attach', automation_paused: 'Automation paused until {time}',
  bad_login: 'Wrong email or password.', bot: 'Bot', bots: 'Bots', campaign: 'Ad campaign', cancel: 'Cancel',
  ch_push: 'App', ch_web_push: 'Browser', ch_telegram: 'Telegram', ch_email: 'Email',
  change_password: 'Choose a new password', change_password_why: 'Your password was set by someone else. Choose your own (at least 8 characters) to go on.',
  channel: 'Channel', chat_details: 'Chat', chat_not_found: 'This chat does not exist or you cannot see it.', chat_tags: 'Chat tags',
  chats: 'Chats', chats_unread: 'Chats with new messages', clicked_button: 'Clicked a button', close_chat: 'Close', closed: 'Closed',
  confirm_delete: 'Delete this message for the subscriber too?', confirm_delete_note: 'Delete this note?',
  confirm_paid: 'This Viber message is outside the reply window and past the free monthly messages; it will be paid. Send?',
  conn_connected: 'connected', conn_broken: 'broken', conn_disconnected: 'disconnected', conn_none: 'not connected', conn_engine: 'through the bot engine',
  copied: 'Copied.', copy: 'Copy', copy_failed: 'Could not copy.', current_password: 'Current password', delete: 'Delete', deleted: 'Deleted.',
  disabled: 'disabled', dismiss: 'Dismiss', edit: 'Edit', edited: 'edited', email: 'Email',
  ev_pref_new_chat: 'New chat', ev_pref_message: 'New message', ev_pref_assigned: 'Chat assigned to me', ev_pref_followed_message: 'Message in a chat I follow', ev_pref_bot_broken: 'A bot lost its connection',
  ev_opened: 'Chat opened', ev_closed: 'Chat closed', ev_reopened: 'Chat reopened', ev_assigned: 'Assigned to {whom} by {by}', ev_assigned_auto: 'Assigned to {whom} by the queue', ev_unassigned_auto: 'Unassigned',
  ev_unassigned: 'Unassigned by {by}', ev_follower_added: '{whom} follows the chat ({by})', ev_follower_added_self: '{whom} follows the chat', ev_follower_removed_self: '{whom} stopped following', ev_follower_removed: '{whom} stopped following ({by})',
  ev_file_refused: 'A file was refused', event: 'Event', failed: 'Not delivered', file: 'file',
  file_executable: 'Executable files cannot be sent.', file_pending: 'Receiving {name}…', file_too_big: 'Files are limited to 20 MB.',
  followers: 'Followers', follows_you: 'follows you', from_ad: 'Came from the ad “{name}”',
  group_mine: 'Mine', group_unassigned: 'Unassigned', group_others: 'Others', group_members: 'Group members',
  history: 'History', human_agent: 'Send as a human agent (within 7 days)', inbox: 'Inbox', invite_link: 'Invite link', language: 'Language',
  last_activity: 'Last activity', last_message: 'Last message', last_update: 'last update {time}', load_failed: 'Could not load this chat.',
  load_more: 'Load more', load_older: 'Load older messages', loading: 'Loading…', members: 'Members',
  members_only: 'The console is for team members.', mstatus_active: 'active', mstatus_invited: 'invited', mstatus_deactivated: 'deactivated',
  mute: 'Mute', network_error: 'The server cannot be reached.', new_password: 'New password', no_chats: 'No chats here.', no_name: '(no name)',
  no_notes: 'No notes yet.', no_results: 'Nothing found.', no_window: 'No reply window on this messenger.', notes: 'Notes',
  notifications: 'Notifications', password: 'Password', password_short: 'At least 8 characters.', phone: 'Phone',
  pick_chat: 'Pick a chat from the inbox.', quoted_message: 'A quoted message', remove: 'Remove', reopen_chat: 'Reopen',
  reply_quote: 'Reply', replying_to: 'Replying to', resume: 'Resume', retry: 'Retry',
  role_admin: 'admin', role_employee: 'employee', role_follower: 'follower', save: 'Save', saved: 'Saved.',
  search_history: 'Search this chat', search_name: 'Search by name', send: 'Send', session_ended: 'Your session ended; sign in again.',
  settings: 'Settings', sign_in: 'Sign in', sign_out: 'Sign out',
  st_queued: 'Queued', st_sent: 'Sent', st_delivered: 'Delivered', st_read: 'Read', st_failed: 'Failed',
  started: 'Started', state: 'State', status: 'Status', status_idle: 'with the bot', status_open: 'open', status_closed: 'closed',
  story_mention: 'Mentioned you in a story', subscribed_since: 'subscribed since {time}', subscriber: 'Subscriber', subscription: 'Subscription',
  system: 'System', tab_open: 'Open', tab_closed: 'Closed', tab_all: 'All', tags: 'Tags', template: 'Template',
  template_name: 'Approved template (outside the 24 h window)', type_reply: 'Write a reply', unassigned: 'unassigned', unmute: 'Unmute',
  unread: 'Unread', unsubscribed: 'unsubscribed', uploading: 'Uploading {name}…', username: 'Username',
  window_closed: 'The reply window is closed.', window_left: 'Reply window: {time} left', window_never: 'The subscriber has not written yet.',
  you_follow: 'you follow them', links: 'Tasks and projects', no_links: 'No links.', link_task: 'Task', link_project: 'Project',
  kind: 'Kind', link_ref: 'Reference', link_title: 'Title', add_link: 'Add link', deals: 'Deals', no_deals: 'No deals.', amount: 'Amount', stage: 'Stage', pipeline: 'Pipeline',
  deal_name: 'Deal name', currency: 'Currency', add_deal: 'Add deal', no_pipelines: 'No pipelines yet.',
  disable_sub: 'Stop bot messages', enable_sub: 'Allow bot messages', delete_sub: 'Delete subscriber',
  confirm_delete_sub: 'Delete this subscriber and their chat history?', role: 'Role', name: 'Name', invite: 'Invite a member', invite_token: 'Invite token (shown once):',
  deactivate: 'Deactivate', activate: 'Activate', reconnect: 'Reconnect', disconnect: 'Disconnect', bot_token: 'Bot token',
  connect: 'Connect', connect_bot: 'Connect a messenger', bot_connected: 'The bot is connected.', api_keys: 'API keys', revoked: 'revoked',
  revoke: 'Revoke', confirm_revoke: 'Revoke this key? Programs using it stop working.', no_keys: 'No API keys.', create_key: 'Create a key',
  key_secret: 'The key (shown once):', statistics: 'Statistics', no_bots: 'No bots yet.', stat_sent: 'Sent', stat_received: 'Received',
  stat_subscribers: 'Subscribers', stat_new_subscribers: 'New subscribers', viber_paid: 'Viber, {month}: {sent} chatbot-initiated messages of {free} free.', follow: 'Follow', unfollow: 'Unfollow', flow: 'Flow', flow_active: '“{name}” running since {time}; still to send:',
  stop_flow: 'Stop the flow', start_flow: 'Start a flow', no_flow: 'No flow running.', devices: 'Devices and browser notifications', no_devices: 'No devices yet.', test_push: 'Send a test',
  test_result: 'Test push: {outcome}', enable_push: 'Turn on browser notifications', push_on: 'Browser notifications are on.',
  push_unsupported: 'This browser cannot receive notifications.', push_denied: 'Notifications are blocked for this site.',
  link_telegram: 'Link the Telegram notifications bot', telegram_link_help: 'Open this link in Telegram (valid 15 minutes):', location: 'Location', contact: 'Contact',
  first_seen: 'First contact', contact_name: 'Contact name', first_name: 'First name', last_name: 'Last name', not_follows_you: 'does not follow you', you_not_follow: 'you do not follow them',
  note_empty: 'Write the note first.', note_too_long: 'A note can have at most {max} characters; this one has {n}.', yes_delete: 'Yes, delete',
  messenger_telegram: 'Telegram', messenger_whatsapp: 'WhatsApp', messenger_instagram: 'Instagram', messenger_messenger: 'Facebook Messenger',
  messenger_viber: 'Viber', messenger_livechat: 'Live chat',
  telegram_linked: 'Telegram is linked: alerts come to your Telegram chat.',
  invite_link_once: 'Invite link (shown once; send it to the new member):',
};

const es = {
  join_team: 'Únete a tu equipo', join_team_why: 'Elige tu nombre y una contraseña (8 caracteres como mínimo) para abrir la bandeja.', join: 'Unirme', bad_invite: 'Este enlace de invitación no es válido, ya se usó o caducó; pide uno nuevo a un administrador.',
  add_note: 'Añadir nota', agent: 'Agente', all_bots: 'Todos los bots', assign_me: 'Asignarme', assigned_to: 'asignado a {name}',
  assignee: 'Responsable', assignment: 'Asignación', attach: 'Adjuntar', automation_paused: 'Automatización en pausa hasta {time}',
  bad_login: 'Correo o contraseña incorrectos.', bot: 'Bot', bots: 'Bots', campaign: 'Campaña', cancel: 'Cancelar',
  ch_push: 'App', ch_web_push: 'Navegador', ch_telegram: 'Telegram', ch_email: 'Correo',
  change_password: 'Elige una contraseña nueva', change_password_why: 'Otra persona fijó tu contraseña. Elige la tuya (al menos 8 caracteres) para continuar.',
  channel: 'Canal', chat_details: 'Chat', chat_not_found: 'Este chat no existe o no puedes verlo.', chat_tags: 'Etiquetas del chat',
  chats: 'Chats', chats_unread: 'Chats con mensajes nuevos', clicked_button: 'Pulsó un botón', close_chat: 'Cerrar', closed: 'Cerrado',
  confirm_delete: '¿Borrar este mensaje también para el suscriptor?', confirm_delete_note: '¿Borrar esta nota?',
  confirm_paid: 'Este mensaje de Viber está fuera de la ventana de respuesta y supera los mensajes gratuitos del mes; se pagará. ¿Enviar?',
  conn_connected: 'conectado', conn_broken: 'con error', conn_disconnected: 'desconectado', conn_none: 'sin conectar', conn_engine: 'a través del motor del bot',
  copied: 'Copiado.', copy: 'Copiar', copy_failed: 'No se pudo copiar.', current_password: 'Contraseña actual', delete: 'Borrar', deleted: 'Borrado.',
  disabled: 'desactivado', dismiss: 'Cerrar', edit: 'Editar', edited: 'editado', email: 'Correo',
  ev_pref_new_chat: 'Chat nuevo', ev_pref_message: 'Mensaje nuevo', ev_pref_assigned: 'Chat asignado a mí', ev_pref_followed_message: 'Mensaje en un chat que sigo', ev_pref_bot_broken: 'Un bot perdió la conexión',
  ev_opened: 'Chat abierto', ev_closed: 'Chat cerrado', ev_reopened: 'Chat reabierto', ev_assigned: 'Asignado a {whom} por {by}', ev_assigned_auto: 'Asignado a {whom} por la cola', ev_unassigned_auto: 'Sin asignar',
  ev_unassigned: 'Sin asignar por {by}', ev_follower_added: '{whom} sigue el chat ({by})', ev_follower_added_self: '{whom} sigue el chat', ev_follower_removed_self: '{whom} dejó de seguirlo', ev_follower_removed: '{whom} dejó de seguirlo ({by})',
  ev_file_refused: 'Se rechazó un archivo', event: 'Evento', failed: 'No entregado', file: 'archivo',
  file_executable: 'No se pueden enviar ejecutables.', file_pending: 'Recibiendo {name}…', file_too_big: 'Los archivos tienen un límite de 20 MB.',
  followers: 'Seguidores', follows_you: 'te sigue', from_ad: 'Llegó desde el anuncio «{name}»',
  group_mine: 'Míos', group_unassigned: 'Sin asignar', group_others: 'De otros', group_members: 'Miembros del grupo',
  history: 'Historial', human_agent: 'Enviar como agente humano (hasta 7 días)', inbox: 'Bandeja', invite_link: 'Enlace de invitación', language: 'Idioma',
  last_activity: 'Última actividad', last_message: 'Último mensaje', last_update: 'última actualización {time}', load_failed: 'No se pudo cargar este chat.',
  load_more: 'Cargar más', load_older: 'Cargar mensajes anteriores', loading: 'Cargando…', members: 'Miembros',
  members_only: 'La consola es para miembros del equipo.', mstatus_active: 'activo', mstatus_invited: 'invitado', mstatus_deactivated: 'desactivado',
  mute: 'Silenciar', network_error: 'No se puede contactar con el servidor.', new_password: 'Contraseña nueva', no_chats: 'No hay chats aquí.', no_name: '(sin nombre)',
  no_notes: 'Aún no hay notas.', no_results: 'No se encontró nada.', no_window: 'Este mensajero no tiene ventana de respuesta.', notes: 'Notas',
  notifications: 'Notificaciones', password: 'Contraseña', password_short: 'Al menos 8 caracteres.', phone: 'Teléfono',
  pick_chat: 'Elige un chat de la bandeja.', quoted_message: 'Un mensaje citado', remove: 'Quitar', reopen_chat: 'Reabrir',
  reply_quote: 'Responder', replying_to: 'Respondiendo a', resume: 'Reanudar', retry: 'Reintentar',
  role_admin: 'administrador', role_employee: 'empleado', role_follower: 'seguidor', save: 'Guardar', saved: 'Guardado.',
  search_history: 'Buscar en este chat', search_name: 'Buscar por nombre', send: 'Enviar', session_ended: 'Tu sesión terminó; vuelve a entrar.',
  settings: 'Ajustes', sign_in: 'Entrar', sign_out: 'Salir',
  st_queued: 'En cola', st_sent: 'Enviado', st_delivered: 'Entregado', st_read: 'Leído', st_failed: 'Falló',
  started: 'Inicio', state: 'Estado', status: 'Estado', status_idle: 'con el bot', status_open: 'abierto', status_closed: 'cerrado',
  story_mention: 'Te mencionó en una historia', subscribed_since: 'suscrito desde {time}', subscriber: 'Suscriptor', subscription: 'Suscripción',
  system: 'Sistema', tab_open: 'Abiertos', tab_closed: 'Cerrados', tab_all: 'Todos', tags: 'Etiquetas', template: 'Plantilla',
  template_name: 'Plantilla aprobada (fuera de la ventana de 24 h)', type_reply: 'Escribe una respuesta', unassigned: 'sin asignar', unmute: 'Activar avisos',
  unread: 'No leído', unsubscribed: 'no suscrito', uploading: 'Subiendo {name}…', username: 'Usuario',
  window_closed: 'La ventana de respuesta está cerrada.', window_left: 'Ventana de respuesta: quedan {time}', window_never: 'El suscriptor aún no ha escrito.',
  you_follow: 'lo sigues', links: 'Tareas y proyectos', no_links: 'Sin enlaces.', link_task: 'Tarea', link_project: 'Proyecto',
  kind: 'Tipo', link_ref: 'Referencia', link_title: 'Título', add_link: 'Añadir enlace', deals: 'Tratos', no_deals: 'Sin tratos.', amount: 'Importe', stage: 'Etapa', pipeline: 'Embudo',
  deal_name: 'Nombre del trato', currency: 'Moneda', add_deal: 'Añadir trato', no_pipelines: 'Aún no hay embudos.',
  disable_sub: 'Detener mensajes del bot', enable_sub: 'Permitir mensajes del bot', delete_sub: 'Borrar suscriptor',
  confirm_delete_sub: '¿Borrar este suscriptor y su historial?', role: 'Rol', name: 'Nombre', invite: 'Invitar a un miembro', invite_token: 'Código de invitación (se muestra una vez):',
  deactivate: 'Desactivar', activate: 'Activar', reconnect: 'Reconectar', disconnect: 'Desconectar', bot_token: 'Token del bot',
  connect: 'Conectar', connect_bot: 'Conectar un mensajero', bot_connected: 'El bot está conectado.', api_keys: 'Claves de API', revoked: 'revocada',
  revoke: 'Revocar', confirm_revoke: '¿Revocar esta clave? Los programas que la usan dejarán de funcionar.', no_keys: 'No hay claves de API.', create_key: 'Crear una clave',
  key_secret: 'La clave (se muestra una vez):', statistics: 'Estadísticas', no_bots: 'Aún no hay bots.', stat_sent: 'Enviados', stat_received: 'Recibidos',
  stat_subscribers: 'Suscriptores', stat_new_subscribers: 'Suscriptores nuevos', viber_paid: 'Viber, {month}: {sent} mensajes iniciados por el bot de {free} gratuitos.', follow: 'Seguir', unfollow: 'Dejar de seguir', flow: 'Flujo', flow_active: '«{name}» en marcha desde {time}; falta enviar:',
  stop_flow: 'Detener el flujo', start_flow: 'Iniciar un flujo', no_flow: 'Ningún flujo en marcha.', devices: 'Dispositivos y avisos del navegador', no_devices: 'Aún no hay dispositivos.', test_push: 'Enviar prueba',
  test_result: 'Aviso de prueba: {outcome}', enable_push: 'Activar avisos del navegador', push_on: 'Los avisos del navegador están activos.',
  push_unsupported: 'Este navegador no puede recibir avisos.', push_denied: 'Los avisos están bloqueados para este sitio.',
  link_telegram: 'Vincular el bot de avisos de Telegram', telegram_link_help: 'Abre este enlace en Telegram (válido 15 minutos):', location: 'Ubicación', contact: 'Contacto',
  first_seen: 'Primer contacto', contact_name: 'Nombre del contacto', first_name: 'Nombre', last_name: 'Apellidos', not_follows_you: 'no te sigue', you_not_follow: 'no lo sigues',
  note_empty: 'Escribe primero la nota.', note_too_long: 'Una nota admite como máximo {max} caracteres; esta tiene {n}.', yes_delete: 'Sí, borrar',
  messenger_telegram: 'Telegram', messenger_whatsapp: 'WhatsApp', messenger_instagram: 'Instagram', messenger_messenger: 'Facebook Messenger',
  messenger_viber: 'Viber', messenger_livechat: 'Chat en vivo',
  telegram_linked: 'Telegram está vinculado: los avisos llegan a tu chat de Telegram.',
  invite_link_once: 'Enlace de invitación (se muestra una vez; envíalo al nuevo miembro):',
};

const dicts = { en, es };
let current = pick();

function pick() {
  let saved = '';
  try { saved = localStorage.getItem(KEY) || ''; } catch (e) { saved = ''; }
  if (dicts[saved]) return saved;
  const nav = (navigator.languages && navigator.languages[0]) || navigator.language || 'en';
  return nav.toLowerCase().startsWith('es') ? 'es' : 'en';
}

/** lang is the current language code. */
export function lang() {
  return current;
}

/** setLang switches the language and remembers the choice. */
export function setLang(code) {
  if (!dicts[code]) return;
  current = code;
  try { localStorage.setItem(KEY, code); } catch (e) { /* private mode */ }
  document.documentElement.lang = code;
}

/** t translates a key, filling {slots} from vars; unknown keys return the key. */
export function t(k, vars) {
  let s = dicts[current][k] ?? en[k] ?? k;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, n) => (vars[n] != null ? String(vars[n]) : ''));
  return s;
}
