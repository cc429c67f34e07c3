// The live activity feed: its filters and the kinds of events it lists.
export const activity = {
  en: {
    title: 'Live activity',
    filterLabel: 'Show',
    seats: 'seat {{seats}}',
    filter: { all: 'All', mine: 'Mine', incidents: 'Incidents', air: 'Air', cameras: 'Cameras' },
    type: {
      air: { reading: 'air reading', aqi: 'AQI' },
      camera: { snapshot: 'camera frame', status: 'camera status' },
      incident: {
        reported: 'incident reported',
        status_changed: 'incident update',
        notice: 'your report',
      },
      booking: {
        created: 'booking made',
        confirmed: 'booking paid',
        cancelled: 'booking cancelled',
        expired: 'hold ended',
      },
      payment: {
        created: 'payment started',
        succeeded: 'payment succeeded',
        failed: 'payment failed',
        refunded: 'payment refunded',
      },
    },
  },
  'zh-CN': {
    title: '实时动态',
    filterLabel: '显示',
    seats: '座位 {{seats}}',
    filter: { all: '全部', mine: '我的', incidents: '事件', air: '空气', cameras: '摄像头' },
    type: {
      air: { reading: '空气读数', aqi: '空气质量指数' },
      camera: { snapshot: '摄像头画面', status: '摄像头状态' },
      incident: { reported: '新上报事件', status_changed: '事件进展', notice: '我的上报' },
      booking: { created: '已预订', confirmed: '预订已支付', cancelled: '预订已取消', expired: '锁座已过期' },
      payment: { created: '发起支付', succeeded: '支付成功', failed: '支付失败', refunded: '已退款' },
    },
  },
} as const;
