/**
 * Deterministic, unique test people: person i has a unique name (so a unique name + birth +
 * gender, hence a unique CI in the sandbox) and a unique mobile number that never ends in 0000
 * (the sandbox's "carrier refuses" rule). Every person is an adult (born 1960-1992).
 */
const SURNAMES = ['김', '이', '박', '최', '정', '강', '조', '윤', '장', '임', '한', '오', '서', '신', '권', '황', '안', '송', '류', '홍'];
const SYLLABLES = [
  '민', '서', '지', '현', '우', '준', '도', '하', '윤', '아', '은', '수', '예', '채', '원', '진', '연', '주', '승', '태',
  '영', '호', '성', '혜', '경', '미', '정', '훈', '재', '유', '나', '다', '라', '빈', '솔', '별', '찬', '희', '율', '린',
];
const CARRIERS = ['SKT', 'KT', 'LGT'] as const;

export interface Person {
  name: string;
  phone: string;
  birth: string;
  gender_digit: number;
  carrier: (typeof CARRIERS)[number];
}

export function person(i: number): Person {
  let n = i;
  const surname = SURNAMES[n % SURNAMES.length];
  n = Math.floor(n / SURNAMES.length);
  let given = '';
  for (let k = 0; k < 3; k++) {
    given += SYLLABLES[n % SYLLABLES.length];
    n = Math.floor(n / SYLLABLES.length);
  }
  if (n > 0) given += String(n); // beyond 1.28M people: still unique (the bench never goes there)
  const day = new Date(Date.UTC(1960, 0, 1) + ((i * 37) % 12000) * 86_400_000);
  const birth = day.toISOString().slice(0, 10).replace(/-/g, '');
  const digits = 10_000_000 + Math.floor(i / 9999) * 10_000 + (i % 9999) + 1;
  return {
    name: surname + given,
    phone: `010${digits}`,
    birth,
    gender_digit: i % 2 === 0 ? 1 : 2,
    carrier: CARRIERS[i % CARRIERS.length],
  };
}
