// The live-connection indicator: its states, the transport it runs over, and its notes.
export const live = {
  en: {
    state: {
      connecting: 'Connecting…',
      open: 'Live',
      reconnecting: 'Reconnecting…',
      closed: 'Disconnected',
      offline: 'Offline',
    },
    transport: { websocket: 'WebSocket', sse: 'SSE', poll: 'long-poll' },
    via: 'over {{transport}}',
    tooOld: 'some events were too old to replay: reloaded',
    offlineNote: 'the device has no network; updates resume when it is back',
    lost: 'no updates are getting through; reconnecting',
  },
  'zh-CN': {
    state: {
      connecting: '连接中…',
      open: '实时',
      reconnecting: '重新连接中…',
      closed: '已断开',
      offline: '离线',
    },
    transport: { websocket: 'WebSocket', sse: 'SSE', poll: '长轮询' },
    via: '经 {{transport}}',
    tooOld: '部分事件过旧无法补发，已重新加载',
    offlineNote: '设备没有网络，恢复后将自动继续更新',
    lost: '更新中断，正在重新连接',
  },
} as const;
