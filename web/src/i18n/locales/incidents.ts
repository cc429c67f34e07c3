// The incident feed and an incident's detail view; categories and statuses as people say them.
import { INCIDENT_STATUS_ZH } from '../../../../core/domain/statuses.ts';

export const incidents = {
  en: {
    title: 'Incidents',
    loading: 'Loading incidents…',
    none: 'No incidents reported.',
    unavailable: 'Incidents unavailable: {{reason}}',
    status: {
      submitted: 'Submitted',
      acknowledged: 'Acknowledged',
      in_progress: 'In progress',
      resolved: 'Resolved',
      rejected: 'Rejected',
    },
    category: {
      broken_street_light: 'Broken street light',
      broken_traffic_light: 'Broken traffic light',
      illegal_parking: 'Illegal parking',
      blocked_storm_drain: 'Blocked storm drain',
      pothole: 'Pothole',
      noise: 'Noise',
      other: 'Other',
    },
    detail: {
      photoAlt: 'Photo sent with the report',
      noPhoto: 'No photo was sent.',
      place: 'Place',
      reported: 'Reported',
      updated: 'Last update',
      staffNote: 'Note from staff',
      history: 'Status history',
      move: '{{from}} → {{to}}',
    },
  },
  'zh-CN': {
    title: '事件',
    loading: '正在加载事件…',
    none: '暂无上报事件。',
    unavailable: '事件暂不可用：{{reason}}',
    status: INCIDENT_STATUS_ZH,
    category: {
      broken_street_light: '路灯损坏',
      broken_traffic_light: '信号灯故障',
      illegal_parking: '违法停车',
      blocked_storm_drain: '雨水口堵塞',
      pothole: '路面坑洼',
      noise: '噪音扰民',
      other: '其他',
    },
    detail: {
      photoAlt: '随上报提交的照片',
      noPhoto: '未附照片。',
      place: '地点',
      reported: '上报时间',
      updated: '最近更新',
      staffNote: '工作人员备注',
      history: '处理进度',
      move: '{{from}} → {{to}}',
    },
  },
} as const;
