/**
 * Default user preferences with Rocket.Chat's keys; Rocket.Chat clients check this exact key set
 * in `me.settings.preferences`. A user's saved preferences are merged over these.
 */
export const DEFAULT_PREFERENCES: Readonly<Record<string, unknown>> = {
  alsoSendThreadToChannel: 'default',
  newRoomNotification: 'door',
  newMessageNotification: 'chime',
  showThreadsInMainChannel: false,
  useEmojis: true,
  convertAsciiEmoji: true,
  saveMobileBandwidth: true,
  collapseMediaByDefault: false,
  autoImageLoad: true,
  emailNotificationMode: 'mentions',
  unreadAlert: true,
  notificationsSoundVolume: 100,
  omnichannelTranscriptEmail: false,
  desktopNotifications: 'all',
  pushNotifications: 'all',
  enableAutoAway: true,
  desktopNotificationRequireInteraction: false,
  hideUsernames: false,
  hideRoles: false,
  displayAvatars: true,
  hideFlexTab: false,
  sendOnEnter: 'normal',
  idleTimeLimit: 300,
  sidebarShowFavorites: true,
  sidebarShowUnread: false,
  themeAppearence: 'auto',
  sidebarSortby: 'activity',
  sidebarViewMode: 'medium',
  sidebarDisplayAvatar: true,
  sidebarGroupByType: true,
  sidebarSectionsOrder: [
    'Incoming_Calls',
    'Incoming_Livechats',
    'Open_Livechats',
    'On_Hold_Chats',
    'Unread',
    'Favorites',
    'Teams',
    'Discussions',
    'Channels',
    'Direct_Messages',
    'Conversations',
  ],
  muteFocusedConversations: true,
  notifyCalendarEvents: true,
  enableMobileRinging: false,
  featuresPreview: [],
};

export function effectivePreferences(saved: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return { ...DEFAULT_PREFERENCES, ...saved };
}
