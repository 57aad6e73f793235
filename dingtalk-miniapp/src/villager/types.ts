export interface Member {
  id: number;
  name: string;
  relation: string;
  participating: boolean;
  kind: string;
}

export interface MyHousehold {
  household: {
    id: number;
    code: string;
    address: string;
    village: { id: number; name: string };
    participating: boolean;
    members: Member[];
  };
  pointsYear: number;
  quarter: string;
  yearScore: number;
  balance: number;
  quarterPoints: number;
  rank: number | null;
  rankedHouseholds: number;
}

export interface LedgerLine {
  id: number;
  kind: string;
  amount: number;
  itemCode: string | null;
  itemTitle: string | null;
  memberName: string | null;
  actorName: string | null;
  channel: string;
  reason: string;
  pointsYear: string;
  occurredOn: string;
  declarationId: number | null;
}

export interface DeclarableItem {
  code: string;
  title: string;
  category: string;
  description: string;
  pointsMin: number;
  pointsMax: number;
  pointsSuggested: number;
  minPhotos: number;
  evidence: string;
  capKind: string;
  capValue: number | null;
  remaining: number | null;
  available: boolean;
}

export interface Declaration {
  id: number;
  memberId: number;
  declarantAccountId: number;
  itemCode: string;
  itemTitle: string;
  suggestedPoints: number;
  occurredOn: string;
  text: string;
  state: string;
  stateLabel: string;
  submittedAt: string;
  reviewDeadline: string;
  points: number | null;
  reason: string | null;
  photoIds: number[];
}
