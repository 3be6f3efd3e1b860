"""The generated data sets of README's "Your own data" tables, sessions 33 to 36 and 39 to 41, shaped after public sets.

    /usr/bin/python3 datasets/made/make.py OUTDIR NAME...    (NumPy, pandas, scikit-learn for the Friedman sets)

writes OUTDIR/NAME.csv for each name (a function below; its seed is the one README's table gives). Then, as README's
tables were measured: anmin compare OUTDIR/NAME.csv --target COL [--categorical COLS] --methods auto,sk-mlp-lbfgs,sk-mlp-adam
"""
import numpy as np, pandas as pd, sys
from sklearn.datasets import make_friedman1, make_friedman2, make_friedman3, make_regression
out=sys.argv[1].rstrip('/')+'/' if len(sys.argv)>1 else './'
# Session 33
def wave(seed=3301, n=20000):
    r=np.random.RandomState(seed); X=r.uniform(0,566,(n,32)); P=np.zeros(n)
    xs=X[:,0::2]; ys=X[:,1::2]
    for i in range(16):
        q=np.ones(n)
        for j in range(16):
            if i==j: continue
            d=np.hypot(xs[:,i]-xs[:,j], ys[:,i]-ys[:,j])+1
            th=np.arctan2(ys[:,j]-ys[:,i], xs[:,j]-xs[:,i])
            q+=0.15*np.cos(0.05*d+th)*np.exp(-d/150)
        P+=95000*q
    P+=r.normal(0,3000,n)
    df=pd.DataFrame(X,columns=[f'{a}{k}' for k in range(1,17) for a in 'XY']); df['Total_Power']=P
    df.to_csv(out+'wave.csv',index=False)
def steel(seed=3302, n=35040):
    r=np.random.RandomState(seed); t=np.arange(n); sec=(t%96)*900; day=(t//96)%7
    days=np.array(['Monday','Tuesday','Wednesday','Thursday','Friday','Saturday','Sunday'])
    ws=np.where(day>=5,'Weekend','Weekday'); h=sec/3600
    lt=np.where((h>=8)&(h<20),np.where((h>=9)&(h<12)|(h>=17)&(h<20),'Maximum_Load','Medium_Load'),'Light_Load')
    base=np.where(lt=='Maximum_Load',60,np.where(lt=='Medium_Load',35,8))*np.where(day>=5,0.35,1.0)*(1+0.2*np.sin(2*np.pi*t/(96*365)))
    kwh=np.maximum(base*np.exp(r.normal(0,0.45,n)),2.5)
    lag=kwh*np.abs(r.normal(0.45,0.25,n))+r.gamma(1,2,n); lead=np.where(lt=='Light_Load',r.gamma(2,4,n),r.gamma(0.5,0.5,n))
    pf_lag=100*kwh/np.sqrt(kwh**2+lag**2); pf_lead=100*kwh/np.sqrt(kwh**2+lead**2+1e-9)
    co2=np.round(kwh*0.0005*(1+r.normal(0,0.1,n)),2)
    y=kwh+r.normal(0,1.2,n)
    pd.DataFrame({'Lagging_Current_Reactive.Power_kVarh':lag,'Leading_Current_Reactive_Power_kVarh':lead,'CO2(tCO2)':co2,'Lagging_Current_Power_Factor':pf_lag,'Leading_Current_Power_Factor':pf_lead,'NSM':sec,'WeekStatus':ws,'Day_of_week':days[day],'Load_Type':lt,'Usage_kWh':y}).to_csv(out+'steel.csv',index=False)
def fuel(seed=3303, n=7385):
    r=np.random.RandomState(seed); makes=np.array([f'MAKE{k}' for k in range(42)]); mk=r.choice(42,n,p=r.dirichlet(np.ones(42)*0.7))
    meff=r.normal(0,0.08,42); cls=r.choice(16,n); ceff=r.normal(0,0.07,16); tr=r.choice(27,n); teff=r.normal(0,0.04,27)
    fuelt=r.choice(5,n,p=[0.5,0.4,0.05,0.04,0.01]); feff=np.array([0,0.05,0.08,-0.3,0.02])
    eng=np.clip(r.gamma(4,0.8,n)+0.9,1,8.4); cyl=np.clip(np.round(eng*1.6+r.normal(0,0.7,n)),3,16)
    co2=np.exp(4.7+0.52*np.log(eng)+0.04*cyl**0.5+meff[mk]+ceff[cls]+teff[tr]+feff[fuelt]+0.08*np.sin(3*eng)*(fuelt==1)+r.normal(0,0.04,n))
    pd.DataFrame({'Make':makes[mk],'Vehicle Class':np.array([f'C{k}' for k in range(16)])[cls],'Engine Size(L)':np.round(eng,1),'Cylinders':cyl,'Transmission':np.array([f'T{k}' for k in range(27)])[tr],'Fuel Type':np.array(list('ZXDEN'))[fuelt],'CO2':co2}).to_csv(out+'fuel.csv',index=False)
def kegg(seed=3304, n=53000):
    r=np.random.RandomState(seed); X=np.column_stack([r.lognormal(0,1,(n,10)), r.gamma(2,1,(n,8)), r.uniform(0,1,(n,5))])
    y=0.4*np.log1p(X[:,0]*X[:,1])+0.3*np.tanh(X[:,10]-2)+0.2*X[:,18]*np.log1p(X[:,2])+0.1*np.sqrt(X[:,11])+r.normal(0,0.05,n)
    df=pd.DataFrame(X,columns=[f'f{k}' for k in range(23)]); df['y']=y; df.to_csv(out+'kegg.csv',index=False)
def news(seed=3305, n=39644):
    r=np.random.RandomState(seed); X=np.column_stack([r.normal(0,1,(n,30)), (r.uniform(0,1,(n,28))<0.2).astype(float)])
    s=0.3*X[:,0]+0.2*np.tanh(X[:,1]*X[:,2])+0.15*X[:,30]-0.1*X[:,31]+0.1*np.abs(X[:,3])
    y=np.exp(7+s+r.normal(0,0.9,n))
    df=pd.DataFrame(X,columns=[f'f{k}' for k in range(58)]); df['shares']=np.log(y); df.to_csv(out+'news.csv',index=False)
def fr40(seed=3306):
    X,y=make_friedman1(40000,10,noise=1.0,random_state=seed); df=pd.DataFrame(X,columns=[f'x{k}' for k in range(10)]); df['y']=y; df.to_csv(out+'fr40.csv',index=False)
def lin50(seed=3307, n=40000):
    r=np.random.RandomState(seed); X=r.normal(0,1,(n,50)); w=r.normal(0,1,50); y=X@w*3+r.normal(0,10,n)
    df=pd.DataFrame(X,columns=[f'x{k}' for k in range(50)]); df['y']=y; df.to_csv(out+'lin50.csv',index=False)
def smooth(seed=3308, n=20000):
    r=np.random.RandomState(seed); X=r.normal(0,1,(n,16)); y=np.zeros(n)
    for k in range(24):
        i,j=r.choice(16,2,replace=False); y+=np.sin(X[:,i]*X[:,j]*r.uniform(0.5,1.2))
    y+=r.normal(0,0.1,n); df=pd.DataFrame(X,columns=[f'x{k}' for k in range(16)]); df['y']=y; df.to_csv(out+'smooth.csv',index=False)
def pol(seed=3309, n=15000):
    r=np.random.RandomState(seed); X=r.randint(0,8,(n,26)).astype(float)*r.uniform(0.5,20,26)
    W=r.normal(0,1,(26,6)); Z=(X-X.mean(0))/X.std(0)@W
    s=(Z[:,0]>0.5)*40+(Z[:,1]*Z[:,2]>0)*30+(np.abs(Z[:,3])<1)*20+(Z[:,4]+Z[:,5]>1)*10
    y=np.round(s/10)*10+(r.uniform(0,1,n)<0.05)*r.choice([0,100],n)
    df=pd.DataFrame(X,columns=[f'f{k}' for k in range(26)]); df['target']=y; df.to_csv(out+'pol.csv',index=False)
def f1_10k(seed=0):
    X,y=make_friedman1(10000,30,noise=1.0,random_state=seed); df=pd.DataFrame(X,columns=[f'x{k}' for k in range(30)]); df['y']=y; df.to_csv(out+'f1_10k.csv',index=False)
def supercond(seed=3311, n=21263):
    r=np.random.RandomState(seed); L=r.gamma(2,1,(n,8)); W=r.normal(0,1,(8,81)); X=np.log1p(np.abs(L@W))+0.05*r.normal(0,1,(n,81))
    y=np.exp(1.5+0.8*np.tanh(L[:,0]-L[:,1])+0.4*np.log1p(L[:,2]*L[:,3])-0.3*np.sqrt(L[:,4]))*8+r.normal(0,3,n)
    df=pd.DataFrame(X,columns=[f'f{k}' for k in range(81)]); df['critical_temp']=y; df.to_csv(out+'supercond.csv',index=False)
def yearp(seed=3312, n=30000):
    r=np.random.RandomState(seed); Z=r.normal(0,1,(n,12)); X=np.column_stack([Z, (Z[:,:7,None]*Z[:,None,:12]).reshape(n,-1)[:, :78]])
    y=1998+3*np.tanh(Z[:,0])+2*Z[:,1]*Z[:,2]-1.5*np.abs(Z[:,3])+r.normal(0,8,n)
    df=pd.DataFrame(X,columns=[f't{k}' for k in range(90)]); df['year']=np.round(np.clip(y,1922,2011)); df.to_csv(out+'yearp.csv',index=False)
def blog(seed=3313, n=20000):
    r=np.random.RandomState(seed); X=r.poisson(r.gamma(0.5,2,(1,200)),(n,200)).astype(float); lam=np.exp(0.5+0.3*np.log1p(X[:,0])+0.2*np.log1p(X[:,1]*X[:,2])-0.1*X[:,3])
    y=np.log1p(r.poisson(lam*r.gamma(1,1,n))); df=pd.DataFrame(X,columns=[f'c{k}' for k in range(200)]); df['target']=y; df.to_csv(out+'blog.csv',index=False)
# Session 34: session 30's load-, metro-traffic- and mercedes-like data, made again from README's descriptions
def load(seed=3401, n=40000):
    r=np.random.RandomState(seed); t=np.arange(n); hour=t%24; day=t//24; weekday=day%7; month=(day//30)%12+1
    hol=r.rand(n//24+1)<0.03; dtype=np.where(hol[day],'holiday',np.where(weekday<5,'work','weekend'))
    work=(dtype=='work').astype(float)
    T=12-10*np.cos(2*np.pi*(month-1)/12)+5*np.sin(2*np.pi*(hour-9)/24)+r.normal(0,3,n)
    hum=np.clip(65-0.8*(T-12)+r.normal(0,10,n),10,100)
    reg=r.choice(8,n); base=r.uniform(300,900,8); heat=r.uniform(8,25,8); cool=r.uniform(1,4,8)
    shape=1+work*(0.45*np.exp(-(hour-8)**2/4)+0.6*np.exp(-(hour-18.5)**2/5))+0.25*np.exp(-(hour-13)**2/18)-0.3*np.exp(-(hour-3.5)**2/6)
    y=base[reg]*shape+heat[reg]*np.maximum(0,15-T)+cool[reg]*np.maximum(0,T-22)**2*(1+0.01*(hum-50))+r.normal(0,0.03,n)*base[reg]
    pd.DataFrame({'hour':hour,'weekday':weekday,'month':month,'temperature':np.round(T,1),'humidity':np.round(hum),'region':np.array([f'R{k}' for k in range(8)])[reg],'daytype':dtype,'load':np.round(y,1)}).to_csv(out+'load.csv',index=False)
def metro(seed=3402, n=48000):
    r=np.random.RandomState(seed); t=np.arange(n); hour=t%24; day=t//24; weekday=day%7; month=(day//30)%12+1
    names=np.array(['None','Labor Day','Thanksgiving','Christmas','New Years','Memorial Day','Independence Day','Columbus Day','Veterans Day','Washington Birthday','MLK Day','State Fair'])
    hd=np.where(r.rand(n//24+1)<0.03,r.randint(1,12,n//24+1),0); holiday=names[hd[day]]; off=(weekday>=5)|(hd[day]>0)
    w=r.choice(8,n,p=[0.3,0.3,0.12,0.06,0.1,0.04,0.05,0.03]); wnames=np.array(['Clear','Clouds','Rain','Snow','Mist','Fog','Drizzle','Thunderstorm']); weff=np.array([0,0,-0.05,-0.12,-0.03,-0.06,-0.02,-0.08])
    temp=282-12*np.cos(2*np.pi*(month-1)/12)+4*np.sin(2*np.pi*(hour-9)/24)+r.normal(0,4,n)
    rain=np.where(np.isin(w,[2,6,7]),r.exponential(1.5,n),0); snow=np.where(w==3,r.exponential(0.3,n),0); clouds=np.clip(np.where(w==0,r.uniform(0,20,n),r.uniform(20,100,n)),0,100)
    workshape=600+4200*np.exp(-(hour-7.2)**2/1.2)+3800*np.exp(-(hour-16.5)**2/2.5)+3600*((hour>=6)&(hour<=20))*(1-0.2*np.exp(-(hour-12)**2/8))
    offshape=500+3400*np.exp(-(hour-13.5)**2/18)
    base=np.where(off,offshape,workshape)*(1-0.5*((hour<5)|(hour>22)))
    y=base*(1+weff[w]-0.02*rain-0.1*snow+0.002*(temp-282))*np.exp(r.normal(0,0.06,n))+r.normal(0,150,n)
    pd.DataFrame({'holiday':holiday,'temp':np.round(temp,2),'rain_1h':np.round(rain,2),'snow_1h':np.round(snow,2),'clouds_all':np.round(clouds),'weather':wnames[w],'hour':hour,'weekday':weekday,'month':month,'traffic_volume':np.round(np.maximum(y,0))}).to_csv(out+'metro.csv',index=False)
def mercedes(seed=3403, n=4209):
    r=np.random.RandomState(seed); lv=[47,27,44,7,4,29,12,25]; cols={}; eff=0
    for k,L in enumerate(lv):
        c=r.choice(L,n,p=r.dirichlet(np.ones(L)*0.6)); e=r.normal(0,[4,2,3,1,0.3,1.5,1,2][k],L); eff=eff+e[c]; cols[f'X{k if k<7 else 8}']=np.array([f'{chr(97+j%26)}{j//26 or ""}' for j in range(L)])[c]
    F=(r.rand(n,60)<r.uniform(0.02,0.5,60)).astype(int); wf=r.normal(0,1,60)*(r.rand(60)<0.3)
    y=100+eff+F@wf+3*F[:,0]*F[:,1]-2*F[:,2]*(eff>2)+r.normal(0,4,n)+np.where(r.rand(n)<0.01,r.exponential(30,n),0)
    df=pd.DataFrame(cols); 
    for j in range(60): df[f'F{j}']=F[:,j]
    df['y']=np.round(y,2); df.to_csv(out+'mercedes.csv',index=False)
# Session 34: older misses made again from README's descriptions
def poly(seed=3411, n=120):
    r=np.random.RandomState(seed); X=r.uniform(-1,1,(n,5)); y=X[:,0]**2-X[:,1]*X[:,2]+0.5*X[:,3]**3+X[:,4]
    df=pd.DataFrame(X,columns=[f'x{k}' for k in range(5)]); df['y']=y; df.to_csv(out+'poly.csv',index=False)
def big(seed=3412, n=3000):
    r=np.random.RandomState(seed); scale=np.array([1,10,100,0.1,1000,5]); X=r.normal(0,1,(n,6))*scale+np.array([0,50,1000,2,0,10])
    z=X/scale
    y=1e6+300*np.tanh(2*z[:,0])+200*np.maximum(0,z[:,1]-0.5)+150*z[:,2]*z[:,3]+80*z[:,4]+40*z[:,5]+r.normal(0,50,n)
    df=pd.DataFrame(X,columns=[f'u{k}' for k in range(6)]); df['y']=y; df.to_csv(out+'big.csv',index=False)
def survey(seed=3413, n=950):
    r=np.random.RandomState(seed); df=pd.DataFrame(); y=np.full(n,50.0)
    for q in range(12):
        L=r.randint(5,13); eff=r.normal(0,4,L); c=r.choice(L,n,p=r.dirichlet(np.ones(L)*2)); y+=eff[c]; df[f'q{q}']=np.array([f'opt{j}' for j in range(L)])[c]
    df['score']=np.round(y+r.normal(0,10,n),2); df.to_csv(out+'survey.csv',index=False)
def life(seed=3414, n=2938):
    r=np.random.RandomState(seed); status=np.where(r.rand(n)<0.17,'Developed','Developing'); dev=(status=='Developed').astype(float)
    lat=r.normal(0,1,(n,3)); gdp=np.exp(8+1.2*lat[:,0]+1.0*dev+r.normal(0,0.5,n)); school=np.clip(12+2.5*lat[:,0]+2*dev+r.normal(0,1.5,n),2,21)
    hiv=np.exp(np.clip(-2+1.5*lat[:,1]-2*dev+r.normal(0,0.8,n),-5,4)); bmi=np.clip(35+10*lat[:,2]+r.normal(0,5,n),2,80)
    adult=np.clip(160-40*lat[:,0]+60*np.log1p(hiv)-30*dev+r.normal(0,40,n),1,700); infant=np.round(np.exp(2+0.8*lat[:,1]-0.6*lat[:,0]-dev+r.normal(0,0.7,n)))
    cols={'Status':status,'Adult Mortality':np.round(adult),'infant deaths':infant,'Alcohol':np.round(np.clip(4+3*dev+1.5*lat[:,2]+r.normal(0,2,n),0,18),2),'percentage expenditure':np.round(gdp*r.uniform(0,0.15,n),1),
      'Hepatitis B':np.round(np.clip(80+8*lat[:,0]+r.normal(0,15,n),1,99)),'Measles':np.round(np.exp(r.normal(3,2,n))),'BMI':np.round(bmi,1),'under-five deaths':np.round(infant*r.uniform(1.1,1.5,n)),
      'Polio':np.round(np.clip(85+6*lat[:,0]+r.normal(0,12,n),3,99)),'Total expenditure':np.round(np.clip(6+1.5*dev+r.normal(0,2,n),0.5,17),2),'Diphtheria':np.round(np.clip(85+6*lat[:,0]+r.normal(0,12,n),2,99)),
      'HIV/AIDS':np.round(hiv,1),'GDP':np.round(gdp,1),'Population':np.round(np.exp(r.normal(14,2,n))),'thinness 1-19 years':np.round(np.clip(5-2*lat[:,2]+r.normal(0,2,n),0.1,27),1),
      'thinness 5-9 years':np.round(np.clip(5-2*lat[:,2]+r.normal(0,2,n),0.1,28),1),'Income composition of resources':np.round(np.clip(0.6+0.12*lat[:,0]+0.15*dev+r.normal(0,0.05,n),0,0.95),3),'Schooling':np.round(school,1)}
    y=69+4*np.tanh(lat[:,0])+5*dev-6*np.log1p(hiv)/np.log1p(hiv).std()-0.02*(adult-160)+1.5*np.tanh((bmi-35)/10)+0.4*(school-12)+r.normal(0,2,n)
    df=pd.DataFrame(cols); df['life_expectancy']=np.round(y,1); df.to_csv(out+'life.csv',index=False)
def arlags(seed=3415, n=10000):
    r=np.random.RandomState(seed); T=n+24; s=np.zeros(T)
    for t in range(2,T): s[t]=0.6*s[t-1]-0.25*s[t-2]+0.8*np.tanh(2*s[t-1]*s[t-2])+0.5*np.sin(2*np.pi*t/24)+0.3*r.standard_normal()
    X=np.column_stack([s[24-k:T-k] for k in range(1,25)]); y=s[24:]
    df=pd.DataFrame(X,columns=[f'lag{k}' for k in range(1,25)]); df['next']=y; df.to_csv(out+'arlags.csv',index=False)
def gasturb(seed=3416, n=20000, heavy=True, name='gasturb'):
    # heavy: CO's exponent holds a square (a draw far heavier-tailed than log-normal); else plainly log-normal.
    r=np.random.RandomState(seed); lat=r.normal(0,1,(n,3))
    AT=15+8*lat[:,0]+r.normal(0,1,n); AP=1013+6*r.normal(0,1,n); AH=np.clip(77-10*lat[:,0]+r.normal(0,10,n),20,100); AFDP=3.9+0.5*lat[:,1]+r.normal(0,0.2,n)
    GTEP=25+4*lat[:,1]+r.normal(0,0.5,n); TIT=1080+15*lat[:,1]-3*lat[:,0]+r.normal(0,3,n); TAT=545-5*lat[:,1]+2*lat[:,0]+r.normal(0,2,n); TEY=134+15*lat[:,1]+r.normal(0,2,n); CDP=12+1.2*lat[:,1]+r.normal(0,0.2,n)
    co=np.exp((0.3-0.9*lat[:,1]+0.3*lat[:,1]**2-0.2*lat[:,0] if heavy else 0.3-0.6*lat[:,1]-0.2*lat[:,0]+0.3*np.tanh(lat[:,2]))+r.normal(0,0.35,n)); nox=65-6*lat[:,0]+4*lat[:,1]-0.1*(AH-77)+3*np.tanh(lat[:,2])+r.normal(0,4,n)
    pd.DataFrame({'AT':AT,'AP':AP,'AH':AH,'AFDP':AFDP,'GTEP':GTEP,'TIT':TIT,'TAT':TAT,'TEY':TEY,'CDP':CDP,'CO':co,'NOX':nox}).round(4).to_csv(out+name+'.csv',index=False)
def gasturb2():
    gasturb(3417, heavy=False, name='gasturb2')

# Session 35
def _save(name, X, y):
    df=pd.DataFrame(X,columns=[f'x{k}' for k in range(X.shape[1])]); df['y']=y; df.to_csv(out+name+'.csv',index=False)
def fr1_30():
    _save('fr1_30', *make_friedman1(n_samples=1000, n_features=30, noise=1.0, random_state=3501))
def fr1_100():
    _save('fr1_100', *make_friedman1(n_samples=1000, n_features=100, noise=1.0, random_state=3502))
def fr2():
    _save('fr2', *make_friedman2(n_samples=1030, noise=100, random_state=3503))
def fr3():
    _save('fr3', *make_friedman3(n_samples=1030, noise=0.1, random_state=3504))
def reg200():
    _save('reg200', *make_regression(n_samples=1000, n_features=200, n_informative=20, noise=10, random_state=3505))
def tanh200(seed=3506):
    r=np.random.RandomState(seed); X=r.randn(1000,200); _save('tanh200', X, np.tanh(X[:,:10].sum(1)/3)*3+np.sin(X[:,10])+r.randn(1000)*0.5)
def mix30(seed=3507):
    r=np.random.RandomState(seed); X=r.randn(2000,30); _save('mix30', X, X[:,0]*X[:,1]+np.abs(X[:,2])+0.3*X[:,3:8].sum(1)+r.randn(2000)*0.5)
def nearlin(seed=3508):
    r=np.random.RandomState(seed); X=r.randn(600,12); _save('nearlin', X, X@r.randn(12)+0.4*np.maximum(X[:,0],0)+r.randn(600)*1.0)
# Session 36: wide data whose target is mostly linear, with a nonlinear part the network may find
def sin60(seed=3601):
    r=np.random.RandomState(seed); X=r.randn(1000,60); w=np.zeros(60); w[:10]=r.randn(10); _save('sin60', X, X@w+2*np.sin(2*X[:,0])+r.randn(1000)*0.5)
def quad100(seed=3602):
    r=np.random.RandomState(seed); X=r.randn(1500,100); w=np.zeros(100); w[:20]=r.randn(20); _save('quad100', X, X@w+0.3*(X[:,1]*X[:,2]+X[:,3]**2)+r.randn(1500)*0.5)
def relu80(seed=3603):
    r=np.random.RandomState(seed); X=r.randn(1200,80); U=r.randn(80,5)/np.sqrt(80); _save('relu80', X, np.maximum(X@U,0).sum(1)*3+0.3*X[:,:20].sum(1)+r.randn(1200)*0.3)
def cubic150(seed=3604):
    r=np.random.RandomState(seed); X=r.randn(800,150); w=np.zeros(150); w[:10]=r.randn(10)/np.sqrt(10); z=X@w; _save('cubic150', X, z+0.1*z**3+r.randn(800)*0.5)
def shop(seed=3605, n=5000):
    # A shop's sales: store (20 words), weekday, promotion flag and 8 numbers, effects that interact
    r=np.random.RandomState(seed); store=r.randint(0,20,n); day=r.randint(0,7,n); promo=r.randint(0,2,n); X=r.randn(n,8)
    se=r.randn(20); de=np.array([0,0.2,0.1,0.3,0.8,1.2,-0.5])
    y=10+3*se[store]+2*de[day]+promo*(1.5+se[store])+X[:,0]*X[:,1]+np.sin(X[:,2])*2+0.5*X[:,3]+r.randn(n)
    df=pd.DataFrame(X,columns=[f'x{k}' for k in range(8)]); df.insert(0,'store',[f's{v}' for v in store]); df.insert(1,'weekday',[['mon','tue','wed','thu','fri','sat','sun'][v] for v in day]); df.insert(2,'promo',promo); df['sales']=y; df.to_csv(out+'shop.csv',index=False)
def tnoise(seed=3606, n=3000):
    # A smooth target of 6 inputs under Student-t noise of 2 degrees of freedom
    r=np.random.RandomState(seed); X=r.uniform(-2,2,(n,6)); _save('tnoise', X, np.sin(X[:,0])*X[:,1]+np.exp(X[:,2]/2)+X[:,3]**2/2+r.standard_t(2,n)*0.3)
def multi3(seed=3607, n=3000):
    # Three targets sharing two latent directions of 15 inputs
    r=np.random.RandomState(seed); X=r.randn(n,15); U=r.randn(15,2)/np.sqrt(15); Z=X@U
    Y=np.c_[np.tanh(Z[:,0])+Z[:,1], Z[:,0]*Z[:,1], np.abs(Z[:,0]-Z[:,1])]+r.randn(n,3)*0.1
    df=pd.DataFrame(X,columns=[f'x{k}' for k in range(15)]); df['y0'],df['y1'],df['y2']=Y.T; df.to_csv(out+'multi3.csv',index=False)
def tiny5(seed=3608, n=100):
    r=np.random.RandomState(seed); X=r.uniform(0,1,(n,5)); _save('tiny5', X, 10*np.sin(np.pi*X[:,0]*X[:,1])+5*X[:,2]**2+X[:,3]+r.randn(n)*0.5)
def long6(seed=3609, n=50000):
    r=np.random.RandomState(seed); X=r.uniform(-1,1,(n,6)); _save('long6', X, np.sin(3*X[:,0])*np.cos(2*X[:,1])+X[:,2]*X[:,3]+np.maximum(X[:,4],0)+0.1*r.randn(n))
def words300(seed=3610, n=2000):
    # 300 word-presence flags (Zipf-like rates) -> a score linear in them, with two interactions
    r=np.random.RandomState(seed); p=0.3/np.arange(1,301)**0.7; X=(r.uniform(size=(n,300))<p).astype(float); w=r.randn(300)*(r.uniform(size=300)<0.3)
    _save('words300', X, X@w+2*X[:,0]*X[:,1]-1.5*X[:,2]*X[:,3]+r.randn(n)*0.5)
# Session 39 (written as csv rows, as measured)
def flights(seed=3901, n=30000):
    import csv
    rs=np.random.RandomState(seed); air=rs.randint(0,20,n); orig=rs.randint(0,60,n); hour=rs.randint(5,24,n); month=rs.randint(1,13,n)
    dist=np.exp(rs.normal(6.5,0.6,n)); a_eff=rs.normal(0,6,20); o_eff=rs.normal(0,8,60)
    delay=a_eff[air]+o_eff[orig]+0.08*(hour-5)**2-3*np.cos(2*np.pi*(month-1)/12)+0.004*dist+0.02*o_eff[orig]*(hour-5)+rs.gumbel(0,12,n)
    with open(out+'flights.csv','w',newline='') as f:
        w=csv.writer(f); w.writerow(['airline','origin','hour','month','distance','delay'])
        for i in range(n): w.writerow([f'A{air[i]:02d}',f'O{orig[i]:02d}',hour[i],month[i],round(dist[i],1),round(delay[i],2)])
def airbnb(seed=3902, n=8000):
    import csv
    rs=np.random.RandomState(seed); hood=rs.randint(0,40,n); room=rs.choice(3,n,p=[0.6,0.35,0.05]); prop=rs.randint(0,10,n)
    guests=rs.randint(1,9,n); beds=np.maximum(1,guests//2+rs.randint(-1,2,n)); baths=1+rs.binomial(2,0.3,n)
    reviews=rs.poisson(20,n); rating=np.clip(rs.normal(4.6,0.3,n),1,5); dist=np.exp(rs.normal(1.0,0.7,n))
    h_eff=rs.normal(0,0.35,40); r_eff=np.array([0.0,-0.6,-0.9]); p_eff=rs.normal(0,0.15,10)
    logp=4.2+h_eff[hood]+r_eff[room]+p_eff[prop]+0.12*guests+0.08*baths-0.15*np.log(dist)+0.3*(rating-4.6)+0.1*h_eff[hood]*(room==0)*guests/4+rs.normal(0,0.3,n)
    price=np.exp(logp)
    with open(out+'airbnb.csv','w',newline='') as f:
        w=csv.writer(f); w.writerow(['neighbourhood','room_type','property_type','guests','beds','baths','reviews','rating','distance','price'])
        for i in range(n): w.writerow([f'N{hood[i]:02d}',['entire','private','shared'][room[i]],f'P{prop[i]}',guests[i],beds[i],baths[i],reviews[i],round(rating[i],2),round(dist[i],2),round(price[i],2)])
# Session 40
def grid(seed=4001, n=10000):
    # electrical-grid-stability-like: a 4-node star (producer 0, consumers 1-3); reaction times tau, powers p (p0 = -sum), price
    # elasticities g -> stab, the largest real part of the linearized swing system's eigenvalues (damping g/(1 + 0.2 tau))
    r=np.random.RandomState(seed); tau=r.uniform(0.5,10,(n,4)); p=np.zeros((n,4)); p[:,1:]=r.uniform(-2,-0.5,(n,3)); p[:,0]=-p[:,1:].sum(1); g=r.uniform(0.05,1,(n,4))
    stab=np.empty(n)
    for i in range(n):
        K=np.zeros((4,4)); w=1+0.5*np.abs(p[i,1:])
        for j in range(3): K[0,0]+=w[j]; K[j+1,j+1]+=w[j]; K[0,j+1]-=w[j]; K[j+1,0]-=w[j]
        D=np.diag(g[i]/(1+0.2*tau[i])-0.02*tau[i]); A=np.block([[np.zeros((4,4)),np.eye(4)],[-K,-D]])
        ev=np.linalg.eigvals(A).real; stab[i]=np.sort(ev)[-2]  # the largest but the grid's common rotation's 0
    df=pd.DataFrame(np.hstack([tau,p,g]),columns=[f'{a}{k}' for a in ('tau','p','g') for k in range(1,5)]); df['stab']=stab+r.normal(0,0.002,n)
    df.to_csv(out+'grid.csv',index=False)
def building(seed=4002, n=372):
    # residential-building-like: 8 project variables and 19 economic series at 5 quarterly lags (random walks, so collinear) -> sale price and cost
    r=np.random.RandomState(seed); T=120; econ=np.cumsum(r.normal(0,1,(T+5,19)),0)+r.normal(0,0.3,(T+5,19)); q=r.randint(5,T+5,n)
    V=np.column_stack([r.uniform(100,5000,n),r.uniform(50,1500,n),r.uniform(1,10,n),r.lognormal(5,0.5,n),r.uniform(0.8,1.2,n),r.randint(1,21,n),r.uniform(1,20,n),r.lognormal(3,0.4,n)])
    lags=np.hstack([econ[q-l] for l in range(5)]); mkt=econ[q,0]-0.5*econ[q,3]+0.3*econ[q-2,7]
    cost=V[:,3]*(1+0.02*econ[q-1,1])*V[:,4]+0.05*V[:,0]+r.normal(0,20,n)
    price=cost*(1.3+0.03*mkt+0.05*np.tanh(econ[q-4,5]/5))+0.2*V[:,7]*V[:,2]+r.normal(0,30,n)
    cols=[f'V{k}' for k in range(1,9)]+[f'E{k}_L{l}' for l in range(1,6) for k in range(1,20)]
    df=pd.DataFrame(np.hstack([V,lags]),columns=cols); df['price']=price; df['cost']=cost; df.to_csv(out+'building.csv',index=False)
def sgemm(seed=4003, n=40000):
    # SGEMM-GPU-kernel-like: 14 tuning parameters of a matrix-multiply kernel (powers of two and flags) -> its run time in ms, log-normal
    r=np.random.RandomState(seed); c=lambda v: np.array(v)[r.randint(0,len(v),n)]
    MWG,NWG,KWG=c([16,32,64,128]),c([16,32,64,128]),c([16,32]); MDIMC,NDIMC=c([8,16,32]),c([8,16,32]); MDIMA,NDIMB=c([8,16,32]),c([8,16,32])
    KWI,VWM,VWN=c([2,8]),c([1,2,4,8]),c([1,2,4,8]); STRM,STRN,SA,SB=c([0,1]),c([0,1]),c([0,1]),c([0,1])
    threads=MDIMC*NDIMC; per=(MWG/MDIMC)*(NWG/NDIMC)
    logt=4.0+0.4*(np.log2(threads)-7.5)**2/4+0.1*(np.log2(per)-3)**2-0.15*np.log2(VWM*VWN)*(per>=4)+0.3*(per>32)-0.2*SA*SB+0.1*STRM*(VWM>2)-0.08*np.log2(KWG)*(KWI==8)+0.15*np.abs(np.log2(MDIMA/MDIMC))+0.15*np.abs(np.log2(NDIMB/NDIMC))
    t=np.exp(logt+r.normal(0,0.08,n))
    df=pd.DataFrame({'MWG':MWG,'NWG':NWG,'KWG':KWG,'MDIMC':MDIMC,'NDIMC':NDIMC,'MDIMA':MDIMA,'NDIMB':NDIMB,'KWI':KWI,'VWM':VWM,'VWN':VWN,'STRM':STRM,'STRN':STRN,'SA':SA,'SB':SB}); df['runtime']=np.round(t,2)
    df.to_csv(out+'sgemm.csv',index=False)
def bias(seed=4004, n=7750):
    # bias-correction-like: 25 stations' daily forecasts (temperatures, humidity, wind, latent heat, cloud and rain by quarter-day), site
    # terrain and solar radiation -> the next day's observed maximum and minimum temperatures, the forecast's bias by site and cloud
    r=np.random.RandomState(seed); st=r.randint(0,25,n); day=r.randint(0,310,n); lat=r.uniform(37.45,37.65,25); lon=r.uniform(126.8,127.1,25); dem=r.lognormal(3.5,1,25); slope=r.lognormal(0,0.8,25)
    season=np.sin(2*np.pi*(day-20)/365); tmax=29+3*season+r.normal(0,2.5,n); tmin=tmax-7+r.normal(0,1.5,n); rh=np.clip(r.normal(60,15,n),10,100); ws=r.gamma(3,2,n); lh=r.normal(60,35,n)
    cc=np.clip(r.beta(1.2,2,(n,4))+0.003*(rh[:,None]-60),0,1); pr=np.where(r.uniform(size=(n,4))<0.15*cc*2,r.exponential(2,(n,4)),0); sol=5500+300*season+r.normal(0,150,n)
    bmax=-1.2*cc.mean(1)*(1+0.3*(dem[st]>40))+0.02*(sol-5500)/10-0.01*dem[st]-0.05*ws+0.4*np.sin(lon[st]*40)
    bmin=0.8*cc[:,3]-0.3*slope[st]+0.02*(rh-60)/5-0.005*dem[st]
    X=np.column_stack([st+1,tmax,tmin,rh,ws,lh,cc,pr,lat[st],lon[st],dem[st],slope[st],sol])
    cols=['station','LDAPS_Tmax','LDAPS_Tmin','LDAPS_RH','LDAPS_WS','LDAPS_LH']+[f'LDAPS_CC{k}' for k in range(1,5)]+[f'LDAPS_PPT{k}' for k in range(1,5)]+['lat','lon','DEM','Slope','Solar']
    df=pd.DataFrame(X,columns=cols); df['Next_Tmax']=tmax+bmax+r.normal(0,1.0,n); df['Next_Tmin']=tmin+bmin+r.normal(0,0.8,n); df.to_csv(out+'bias.csv',index=False)
def stock(seed=4005, n=536):
    # istanbul-stock-like: seven markets' daily returns (one common factor) -> the exchange's own, Student-t noise of 3 degrees of freedom
    r=np.random.RandomState(seed); f=r.standard_t(4,n)*0.01; B=np.array([0.8,1.0,0.9,0.6,1.2,1.0,1.1]); X=f[:,None]*B+r.normal(0,0.006,(n,7))
    y=0.2*X[:,5]+0.6*X[:,6]+0.1*X[:,4]+0.004*r.standard_t(3,n)
    df=pd.DataFrame(X,columns=['SP','DAX','FTSE','NIKKEI','BOVESPA','EU','EM']); df['ISE']=y; df.to_csv(out+'stock.csv',index=False)
def slump(seed=4006, n=103):
    # concrete-slump-like: seven mix ingredients (kg/m3) -> slump, flow (cm) and 28-day strength (MPa)
    r=np.random.RandomState(seed); cem=r.uniform(137,374,n); slag=r.uniform(0,193,n); ash=r.uniform(0,260,n); water=r.uniform(160,240,n); sp=r.uniform(4,19,n); ca=r.uniform(708,1050,n); fa=r.uniform(640,902,n)
    wb=water/(cem+0.6*slag+0.4*ash); fl=np.clip(20+180*(wb-0.45)+2.2*sp-0.02*(ca-850)+r.normal(0,6,n),20,78); sl=np.clip(fl/3.2-3+r.normal(0,2.5,n),0,29)
    st=np.clip(18+0.06*cem+0.04*slag+0.03*ash-35*(wb-0.5)-0.1*(fl-50)*0.2+r.normal(0,2.5,n),17,58)
    pd.DataFrame({'Cement':cem,'Slag':slag,'FlyAsh':ash,'Water':water,'SP':sp,'CoarseAggr':ca,'FineAggr':fa,'SLUMP':sl,'FLOW':fl,'Strength':st}).to_csv(out+'slump.csv',index=False)
def claims(seed=4007, n=20000):
    # motor-claims-like: driver age, vehicle age and power, bonus-malus, density, region and fuel as words -> a year's claim amount,
    # zero for most policies, a Poisson count of gamma-sized claims for the rest
    r=np.random.RandomState(seed); age=r.randint(18,90,n); vage=r.randint(0,20,n); power=r.randint(4,15,n); bm=np.clip(np.round(r.exponential(8,n)+50),50,150); dens=np.exp(r.normal(6,1.8,n))
    regions=np.array([f'R{k}' for k in range(22)]); reg=r.randint(0,22,n); reff=r.normal(0,0.25,22); fuel=np.where(r.uniform(size=n)<0.5,'Diesel','Regular')
    lam=0.07*np.exp(reff[reg]+0.012*(bm-50)+0.08*np.log(dens/400)+0.25*(age<25)-0.1*(age>60)*(age<75)+0.03*(power-8)*(fuel=='Diesel')-0.02*vage)
    k=r.poisson(lam); amt=np.array([r.gamma(0.8,2200,c).sum() for c in k])
    pd.DataFrame({'DrivAge':age,'VehAge':vage,'VehPower':power,'BonusMalus':bm,'Density':np.round(dens),'Region':regions[reg],'VehGas':fuel,'ClaimAmount':np.round(amt,2)}).to_csv(out+'claims.csv',index=False)
def bodyfat(seed=4008, n=252):
    # body-fat-like: age, weight, height and ten circumferences (correlated through size) -> body fat % (Siri), near-linear
    r=np.random.RandomState(seed); age=r.uniform(22,81,n); size=r.normal(0,1,n); fat=r.normal(0,1,n)
    h=np.round(70+2.5*size+r.normal(0,1.2,n),2); w=np.round(178+25*size+18*fat+r.normal(0,6,n),1)
    base=np.array([38,100,92,99,59,38,23,32,29,18.2]); sz=np.array([0.04,0.05,0.05,0.06,0.06,0.05,0.04,0.06,0.05,0.04]); fz=np.array([0.02,0.05,0.09,0.05,0.05,0.03,0.02,0.04,0.02,0.01])
    C=base*(1+size[:,None]*sz+fat[:,None]*fz+r.normal(0,0.02,(n,10)))
    bf=np.clip(19+6.5*fat+0.08*(age-45)+0.9*(C[:,2]-92*(1+0.05*size))/3+r.normal(0,3.2,n),0,48)
    df=pd.DataFrame(np.column_stack([age,w,h,C]),columns=['Age','Weight','Height','Neck','Chest','Abdomen','Hip','Thigh','Knee','Ankle','Biceps','Forearm','Wrist']); df['BodyFat']=np.round(bf,1); df.to_csv(out+'bodyfat.csv',index=False)
def turbine(seed=4009, n=50000):
    # wind-turbine-SCADA-like: wind speed (Weibull), direction, air temperature -> active power, a logistic power curve to rated 3,600 kW,
    # cut-out above 25 m/s, curtailed or down at times, a yaw loss by direction
    r=np.random.RandomState(seed); ws=r.weibull(2.1,n)*8.5; wd=r.uniform(0,360,n); t=r.normal(12,8,n)
    rho=1.225*288/(273+t); curve=3600/(1+np.exp(-(ws-9.2)/1.35))-3600/(1+np.exp(9.2/1.35)); curve=np.where(ws<3,0,curve)*rho/1.225
    yaw=1-0.08*(np.cos(np.radians(wd-225))<-0.5); p=np.clip(curve*yaw,0,3600); p=np.where(ws>25,0,p)
    down=r.uniform(size=n)<0.03; curt=r.uniform(size=n)<0.05; p=np.where(down,0,np.where(curt,np.minimum(p,2000),p))+r.normal(0,40,n)
    pd.DataFrame({'WindSpeed':np.round(ws,3),'WindDirection':np.round(wd,1),'Temperature':np.round(t,2),'Power':np.round(p,1)}).to_csv(out+'turbine.csv',index=False)
def solubility(seed=4010, n=1144, d=100):
    # aqueous-solubility-like: 100 molecular descriptors (counts and correlated continuous ones from 12 latent factors) -> log solubility
    r=np.random.RandomState(seed); Z=r.normal(0,1,(n,12)); L=r.normal(0,1,(12,d))*(r.uniform(size=(12,d))<0.3); X=Z@L+r.normal(0,0.5,(n,d))
    cnt=r.choice(d,30,replace=False); X[:,cnt]=np.round(np.exp(0.4*X[:,cnt]/np.maximum(X[:,cnt].std(0),1e-9)))-1
    y=-1.2*Z[:,0]+0.8*np.tanh(Z[:,1])-0.5*Z[:,2]*Z[:,3]+0.3*np.maximum(Z[:,4],0)**2+r.normal(0,0.6,n)
    df=pd.DataFrame(X,columns=[f'D{k}' for k in range(d)]); df['logS']=y; df.to_csv(out+'solubility.csv',index=False)
def bank8(seed=4011, n=8192):
    # bank8FM-like: 8 customer and queue variables of a simulated bank -> the share of customers who leave, fairly nonlinear, moderate noise
    r=np.random.RandomState(seed); X=r.uniform(0,1,(n,8)); load=X[:,0]*(1+X[:,1])/(0.3+X[:,2]+0.5*X[:,3]); pat=0.2+0.8*X[:,4]
    y=np.clip(1/(1+np.exp(-(3*load-2.5)/pat))*(0.6+0.4*X[:,5])+0.05*X[:,6]*X[:,7]+r.normal(0,0.03,n),0,1)
    df=pd.DataFrame(X,columns=[f'a{k}' for k in range(1,9)]); df['rej']=y; df.to_csv(out+'bank8.csv',index=False)
def spotify(seed=4012, n=30000):
    # track-popularity-like: audio features, key (12 words), mode (2) and genre (20 words) -> popularity 0-100, mostly the genre and noise
    r=np.random.RandomState(seed); genres=np.array([f'g{k:02d}' for k in range(20)]); g=r.randint(0,20,n); geff=r.normal(0,12,20)
    dance,energy,valence,acoustic=r.beta(5,3,n),r.beta(4,2,n),r.beta(2,2,n),r.beta(1,3,n); speech=r.exponential(0.08,n); instr=np.where(r.uniform(size=n)<0.7,r.beta(1,20,n),r.beta(2,2,n)); live=r.beta(2,8,n)
    loud=-20+15*energy+r.normal(0,2,n); tempo=r.normal(120,28,n); dur=r.lognormal(5.4,0.3,n); keys=np.array(['C','C#','D','D#','E','F','F#','G','G#','A','A#','B']); key=r.randint(0,12,n); mode=np.where(r.uniform(size=n)<0.63,'major','minor')
    pop=np.clip(40+geff[g]+12*dance*(geff[g]>0)+0.6*loud-15*instr+8*valence*energy-10*speech-5*(dur>400)-3*(mode=='minor')*acoustic+r.normal(0,14,n),0,100)
    pd.DataFrame({'danceability':dance,'energy':energy,'loudness':loud,'speechiness':speech,'acousticness':acoustic,'instrumentalness':instr,'liveness':live,'valence':valence,'tempo':tempo,'duration':dur,'key':keys[key],'mode':mode,'genre':genres[g],'popularity':np.round(pop)}).to_csv(out+'spotify.csv',index=False)
def planes(seed=4013, n=40768):
    # 2dplanes-like (Breiman): ten inputs in {-1, 0, 1}; a plane in x2-x4 where x1 is 1, another in x5-x7 elsewhere, noise 1
    r=np.random.RandomState(seed); X=r.randint(-1,2,(n,10)).astype(float); X[:,0]=np.where(r.uniform(size=n)<0.5,1,-1)
    y=np.where(X[:,0]==1,3+3*X[:,1]+2*X[:,2]+X[:,3],-3+3*X[:,4]+2*X[:,5]+X[:,6])+r.normal(0,1,n); _save('planes', X, y)
def mv(seed=4014, n=40768):
    # mv-like (Delve): ten inputs, three of them words, related to each other; a target by cases on them, nearly noiseless
    r=np.random.RandomState(seed); x1=r.uniform(-5,5,n); x2=r.uniform(-15,-10,n); x3=np.where(x1>0,'green',np.where(r.uniform(size=n)<0.5,'red','brown'))
    x4=np.where(x3=='green',x1+2*x2,x1/2+x2); x5=r.uniform(-1,1,n); x6=x4*x5; x7=np.where(x4>-20,'yes','no'); x8=np.where(x5>0.5,'large','normal'); x9=r.uniform(-1,1,n); x10=r.uniform(-1,1,n)
    y=np.where(x7=='yes',10+x1*x2/10,x6)+np.where(x8=='large',5*x9,0)+0.5*np.sin(3*x10)+r.normal(0,0.1,n)
    pd.DataFrame({'x1':x1,'x2':x2,'x3':x3,'x4':x4,'x5':x5,'x6':x6,'x7':x7,'x8':x8,'x9':x9,'x10':x10,'y':y}).to_csv(out+'mv.csv',index=False)
# Session 41
def treasury(seed=4101, n=1049):
    # treasury-like: weekly rates of 15 instruments driven by level, slope and curvature random walks (so nearly collinear) -> the
    # 1-month CD rate, a spread over the short rates that widens when the curve is inverted
    r=np.random.RandomState(seed); f=np.cumsum(r.normal(0,[0.12,0.06,0.04],(n,3)),0)+[7,1.5,0]; mat=np.array([0.08,0.25,0.5,1,2,3,5,7,10,20,30])
    load=np.column_stack([np.ones(11),1-np.exp(-mat/2),(1-np.exp(-mat/2))*np.exp(-mat/4)]); rates=np.maximum(f@load.T+r.normal(0,0.05,(n,11)),0.05)
    extra=np.column_stack([rates[:,0]+0.3+r.normal(0,0.05,n),rates[:,1]+0.5+0.2*np.maximum(-f[:,1],0)+r.normal(0,0.05,n),np.abs(f[:,1])*40+r.gamma(2,20,n),rates[:,4]-rates[:,0]])
    y=rates[:,0]+0.35+0.25*np.tanh(-2*f[:,1])+0.02*(rates[:,8]-5)**2/5+r.normal(0,0.06,n)
    cols=[f'Y{m}' for m in ('1M','3M','6M','1Y','2Y','3Y','5Y','7Y','10Y','20Y','30Y')]+['FedFunds','CommPaper','Volume','Spread2Y']
    df=pd.DataFrame(np.column_stack([rates,extra]),columns=cols); df['CD1M']=y; df.to_csv(out+'treasury.csv',index=False)
def skillcraft(seed=4102, n=3395):
    # skillcraft-like: a game's 18 play statistics (APM, hotkey and action latencies, skewed and tied to skill) -> league 1-7, an integer
    r=np.random.RandomState(seed); sk=r.normal(0,1,n); age=np.clip(np.round(r.normal(21,3,n)),16,44); hrs=np.round(r.lognormal(2.7+0.2*sk,0.6,n)); tot=np.round(r.lognormal(6+0.3*sk,0.9,n))
    apm=np.exp(4.7+0.33*sk+r.normal(0,0.2,n)); sel=np.exp(-6+0.6*sk+r.normal(0,0.5,n)); hk=np.exp(-7.5+0.9*sk+r.normal(0,0.8,n)); uh=np.round(np.clip(3+1.5*sk+r.normal(0,1.5,n),0,10))
    mm=np.exp(-6.5+0.2*sk+r.normal(0,0.4,n)); mmu=np.exp(-8.5+0.2*sk+r.normal(0,0.7,n)); gap=np.exp(4.1-0.25*sk+r.normal(0,0.2,n)); al=np.exp(4.2-0.2*sk+r.normal(0,0.15,n)); apa=np.exp(1.7+0.1*sk+r.normal(0,0.2,n))
    wk=np.exp(-7+0.1*sk+r.normal(0,0.3,n)); un=np.round(np.clip(6+0.8*sk+r.normal(0,2,n),0,13)); cu=np.exp(-8.7+0.1*sk+r.normal(0,0.6,n)); tm=np.exp(-9+0.3*sk+r.normal(0,1,n)); ctm=np.exp(-7.5+0.1*sk+r.normal(0,1,n))
    lat=0.55*sk+0.25*np.log(hrs)-0.4*np.log(np.maximum(gap,1))+0.2*np.tanh(np.log(hk)+7.5)+r.normal(0,0.55,n)
    y=np.clip(np.round(4+1.25*(lat-lat.mean())/lat.std()*1.3),1,7)
    X=np.column_stack([age,hrs,tot,apm,sel,hk,uh,mm,mmu,gap,al,apa,wk,un,cu,tm,ctm])
    cols=['Age','HoursPerWeek','TotalHours','APM','SelectByHotkeys','AssignToHotkeys','UniqueHotkeys','MinimapAttacks','MinimapRightClicks','GapBetweenPACs','ActionLatency','ActionsInPAC','WorkersMade','UniqueUnitsMade','ComplexUnitsMade','ComplexAbilitiesUsed','TotalMapExplored']
    df=pd.DataFrame(X,columns=cols); df['LeagueIndex']=y; df.to_csv(out+'skillcraft.csv',index=False)
def ailerons(seed=4103, n=7129):
    # delta-ailerons-like: 5 readings of a plane's state (roll rate, pitch rate, climb rate, their changes) -> the next aileron change,
    # values near 10^-4, a saturating controller and small noise
    r=np.random.RandomState(seed); X=r.normal(0,1,(n,5))*[0.01,0.005,5,0.002,0.0004]
    u=-0.02*np.tanh(40*X[:,0]+90*X[:,3])+0.015*X[:,1]*np.sign(X[:,2])-0.3*X[:,4]+0.0004*np.tanh(X[:,2]/5)
    y=u*0.01+r.normal(0,0.00008,n)
    df=pd.DataFrame(X,columns=['RollRate','PitchRate','ClimbRate','DiffRollRate','DiffDiffClb']); df['Sa']=y; df.to_csv(out+'ailerons.csv',index=False)
def moneyball(seed=4104, n=1232):
    # moneyball-like: team (30 words) and league (2) as words, year, games, on-base, slugging and batting averages and their
    # opponents' -> runs scored in a season, near-linear in OBP and SLG
    r=np.random.RandomState(seed); teams=np.array([f'T{k:02d}' for k in range(30)]); t=r.randint(0,30,n); lg=np.where(t<14,'AL','NL'); yr=r.randint(1962,2013,n)
    era=0.01*np.sin((yr-1962)/8); teff=r.normal(0,0.006,30); obp=0.325+era+teff[t]+r.normal(0,0.012,n); slg=0.395+1.6*era+1.2*teff[t]+0.9*(obp-0.325)+r.normal(0,0.022,n); ba=0.26+0.6*(obp-0.325)+r.normal(0,0.006,n)
    oobp=0.325+era+r.normal(0,0.012,n); oslg=0.395+1.6*era+r.normal(0,0.022,n); g=np.where(r.uniform(size=n)<0.9,162,r.randint(158,164,n))
    rs=g/162*(-800+2800*obp+1500*slg+40*(lg=='AL'))+r.normal(0,24,n)
    pd.DataFrame({'Team':teams[t],'League':lg,'Year':yr,'G':g,'OBP':obp.round(3),'SLG':slg.round(3),'BA':ba.round(3),'OOBP':oobp.round(3),'OSLG':oslg.round(3),'RS':np.round(rs)}).to_csv(out+'moneyball.csv',index=False)
def tetouan(seed=4105, n=52416):
    # tetouan-power-like: ten-minute readings over a year (temperature, humidity, wind, two solar flows, hour, weekday, month) ->
    # three zones' consumption, daily and weekly cycles scaled by the heat
    r=np.random.RandomState(seed); k=np.arange(n); hour=(k%144)/6; day=k//144; wd=day%7; month=np.minimum(day//30.4,11).astype(int)+1
    season=-np.cos(2*np.pi*day/365); temp=18+7*season+5*np.sin(2*np.pi*(hour-9)/24)+np.cumsum(r.normal(0,0.05,n))%4-2; hum=np.clip(70-1.5*(temp-18)+r.normal(0,8,n),10,100)
    wind=np.where(r.uniform(size=n)<0.6,r.exponential(0.1,n),4.9+r.normal(0,0.05,n)); sun=np.maximum(np.sin(np.pi*(hour-6)/13),0); gdf=sun*(500+300*season)*np.where(r.uniform(size=n)<0.2,0.3,1)+r.exponential(5,n); dfl=0.3*gdf*r.uniform(0.3,1,n)
    base=np.exp(-((hour-20.5)/3.2)**2)*0.55+np.exp(-((hour-12)/4)**2)*0.25+0.5; heat=1+0.012*np.maximum(temp-22,0)**1.5/2
    z=[30000*base*heat*(1-0.06*(wd>=5))+r.normal(0,900,n), 25000*base**1.2*heat*(1-0.1*(wd>=5))+r.normal(0,1000,n), 18000*base**1.5*heat**2*(1+0.15*season)+r.normal(0,1100,n)]
    pd.DataFrame({'Temperature':temp.round(3),'Humidity':hum.round(2),'WindSpeed':wind.round(3),'GeneralDiffuseFlows':gdf.round(3),'DiffuseFlows':dfl.round(3),'Hour':hour,'Weekday':wd,'Month':month,'Zone1':z[0].round(2),'Zone2':z[1].round(2),'Zone3':z[2].round(2)}).to_csv(out+'tetouan.csv',index=False)
def parkinsons(seed=4106, n=5875):
    # parkinsons-telemonitoring-like: 42 subjects' age and sex, the day of each recording and 16 voice measures (jitter, shimmer and
    # noise families, each nearly collinear within) -> motor and total UPDRS, a subject's baseline plus slow progression
    r=np.random.RandomState(seed); s=r.randint(0,42,n); age=np.round(r.uniform(36,85,42))[s]; sex=(r.uniform(size=42)<0.32).astype(int)[s]; t=r.uniform(-5,215,n)
    sev=r.normal(0,1,42)[s]; mot=np.clip(21+6.5*sev+0.08*(age-65)+t*(0.02+0.01*sev)/7+r.normal(0,1.5,n),5,40); tot=np.clip(1.3*mot+4+3*r.normal(0,1,42)[s]+r.normal(0,2,n),7,55)
    v=0.25*sev+0.15*(age-65)/10+r.normal(0,0.6,n); j=np.exp(-5.3+0.4*v[:,None]+r.normal(0,0.15,(n,5))); sh=np.exp(-3.3+0.35*v[:,None]+r.normal(0,0.12,(n,6)))
    nhr=np.exp(-3.6+0.5*v+r.normal(0,0.4,n)); hnr=21.5-2.2*v+r.normal(0,1.5,n); rpde=0.54+0.05*v+r.normal(0,0.05,n); dfa=0.65+r.normal(0,0.06,n); ppe=0.22+0.04*v+r.normal(0,0.05,n)
    cols=['age','sex','test_time']+[f'Jitter{k}' for k in range(5)]+[f'Shimmer{k}' for k in range(6)]+['NHR','HNR','RPDE','DFA','PPE']
    df=pd.DataFrame(np.column_stack([age,sex,t,j,sh,nhr,hnr,rpde,dfa,ppe]),columns=cols); df['motor_UPDRS']=mot.round(3); df['total_UPDRS']=tot.round(3); df.to_csv(out+'parkinsons.csv',index=False)
def taxi(seed=4107, n=40000):
    # NYC-taxi-trip-like: pickup and dropoff latitude and longitude, hour, weekday, passengers, vendor as a word -> log trip seconds,
    # the haversine distance at a speed set by the hour and by Manhattan, a heavy-tailed delay
    r=np.random.RandomState(seed); hub=r.uniform(size=n)<0.7; lat0=np.where(hub,r.normal(40.755,0.02,n),r.normal(40.72,0.06,n)); lon0=np.where(hub,r.normal(-73.98,0.015,n),r.normal(-73.92,0.08,n))
    go=r.uniform(size=n)<0.1; lat1=np.where(go,40.645+r.normal(0,0.003,n),lat0+r.normal(0,0.025,n)); lon1=np.where(go,-73.78+r.normal(0,0.003,n),lon0+r.normal(0,0.02,n))
    hour=r.randint(0,24,n); wd=r.randint(0,7,n); pax=np.minimum(r.geometric(0.6,n),6); vendor=np.where(r.uniform(size=n)<0.53,'V2','V1')
    dlat=np.radians(lat1-lat0); dlon=np.radians(lon1-lon0); a=np.sin(dlat/2)**2+np.cos(np.radians(lat0))*np.cos(np.radians(lat1))*np.sin(dlon/2)**2; km=2*6371*np.arcsin(np.sqrt(a))
    rush=np.exp(-((hour-8.5)/1.5)**2)+np.exp(-((hour-17.5)/2)**2); speed=22-8*rush*(wd<5)-4*hub*(1-go)+6*(hour<6)
    y=np.log(120+3600*km/np.maximum(speed,5)*1.3+r.gamma(1.5,40,n))+r.normal(0,0.25,n)
    pd.DataFrame({'vendor':vendor,'passengers':pax,'pickup_lat':lat0,'pickup_lon':lon0,'dropoff_lat':lat1,'dropoff_lon':lon1,'hour':hour,'weekday':wd,'log_duration':y}).to_csv(out+'taxi.csv',index=False)
def crop(seed=4108, n=28000):
    # crop-yield-like: country (100 words) and crop (10 words), year, rainfall, pesticides, temperature -> log yield, the country's and
    # crop's levels, an optimum temperature per crop, rain's returns falling
    r=np.random.RandomState(seed); c=r.randint(0,100,n); k=r.randint(0,10,n); yr=r.randint(1990,2014,n); rain=np.exp(r.normal(6.8,0.6,100))[c]; temp=r.uniform(5,30,100)[c]+r.normal(0,0.7,n)
    pest=np.exp(r.normal(7,2,100))[c]*np.exp(0.03*(yr-1990)); opt=r.uniform(12,26,10)
    y=r.normal(10,1,10)[k]+r.normal(0,0.6,100)[c]+0.02*(yr-1990)+0.3*np.tanh((np.log(rain)-6.5))-0.008*(temp-opt[k])**2+0.05*np.log1p(pest)/3+r.normal(0,0.25,n)
    pd.DataFrame({'Area':np.array([f'C{i:03d}' for i in range(100)])[c],'Item':np.array([f'crop{i}' for i in range(10)])[k],'Year':yr,'rain_mm':rain.round(),'pesticides_t':pest.round(2),'avg_temp':temp.round(2),'log_yield':y}).to_csv(out+'crop.csv',index=False)
def walmart(seed=4109, n=30000):
    # walmart-sales-like: store (45 words) and department (60 words), holiday flag, week, temperature, fuel price, CPI, unemployment ->
    # weekly sales in thousands, store x department levels, a holiday season lift in some departments, heavy-tailed noise
    r=np.random.RandomState(seed); st=r.randint(0,45,n); dp=r.randint(0,60,n); wk=r.randint(1,53,n); hol=np.isin(wk,[6,36,47,52]).astype(int)
    temp=60-25*np.cos(2*np.pi*(wk-3)/52)+r.normal(0,8,n); fuel=3.3+0.4*r.uniform(size=n); cpi=r.uniform(126,228,45)[st]; un=r.uniform(4,14,45)[st]
    size=np.exp(r.normal(0,0.5,45)); dlev=np.exp(r.normal(2.5,1.2,60)); season=r.uniform(size=60)<0.2
    y=size[st]*dlev[dp]*(1+0.8*season[dp]*np.exp(-((wk-50)/2.5)**2)+0.1*hol)*(1-0.01*(un-8))*np.exp(r.standard_t(4,n)*0.08)
    pd.DataFrame({'Store':np.array([f'S{i:02d}' for i in range(45)])[st],'Dept':np.array([f'D{i:02d}' for i in range(60)])[dp],'IsHoliday':hol,'Week':wk,'Temperature':temp.round(2),'Fuel_Price':fuel.round(3),'CPI':cpi.round(2),'Unemployment':un.round(2),'Weekly_Sales':y.round(3)}).to_csv(out+'walmart.csv',index=False)
def solar(seed=4110, n=30000):
    # solar-plant-like: irradiation, ambient and module temperatures, hour, day -> AC power, linear in irradiation, lost to heat, clipped
    # at the inverter's rating, zero at night, some inverters down
    r=np.random.RandomState(seed); hour=r.uniform(0,24,n); day=r.randint(0,34,n); sun=np.maximum(np.sin(np.pi*(hour-6)/12.5),0); cloud=np.clip(r.beta(2,5,n)+0.3*(r.uniform(size=34)<0.3)[day],0,1)
    irr=sun*(1-0.75*cloud)*1.1+r.normal(0,0.01,n)*sun; amb=24+6*sun+r.normal(0,1.5,n); mod=amb+28*irr+r.normal(0,1,n)
    ac=np.minimum(1300*np.maximum(irr,0)*(1-0.004*(mod-25)),1150); down=r.uniform(size=n)<0.02; ac=np.where(down,0,ac)+r.normal(0,8,n)*(irr>0.01)
    pd.DataFrame({'IRRADIATION':np.maximum(irr,0).round(5),'AMBIENT_TEMPERATURE':amb.round(3),'MODULE_TEMPERATURE':mod.round(3),'HOUR':hour.round(3),'DAY':day,'AC_POWER':np.maximum(ac,0).round(3)}).to_csv(out+'solar.csv',index=False)
def battery(seed=4111, n=15000):
    # battery-RUL-like: a cycle's index and 7 charge and discharge timings and voltages of 14 cells -> remaining useful life in cycles,
    # each cell's fade rate read through its timings
    r=np.random.RandomState(seed); cell=r.randint(0,14,n); life=r.uniform(700,1130,14)[cell]; cyc=np.floor(r.uniform(0,1,n)*life)+1; f=cyc/life
    dis=8000-2500*f**1.5+r.normal(0,150,n); dec=1200-400*f+r.normal(0,40,n); maxv=4.2-0.15*f+r.normal(0,0.01,n); minv=3.2+0.2*f**2+r.normal(0,0.01,n)
    t415=5500-1800*f+r.normal(0,200,n); tcc=7000+300*r.normal(0,1,n)+2000*f; chg=10000+1500*f+r.normal(0,300,n)
    pd.DataFrame({'Cycle_Index':cyc,'Discharge_Time':dis.round(2),'Decrement_3_6_3_4V':dec.round(2),'Max_Voltage_Discharge':maxv.round(3),'Min_Voltage_Charge':minv.round(3),'Time_at_4_15V':t415.round(2),'Time_constant_current':tcc.round(2),'Charging_time':chg.round(2),'RUL':(life-cyc).round()}).to_csv(out+'battery.csv',index=False)
def delivery(seed=4112, n=10000):
    # food-delivery-time-like: the courier's age and rating, distance, weather and traffic as words, vehicle, multiple orders, festival ->
    # minutes, distance at a speed set by traffic and vehicle, worse in storms and festivals
    r=np.random.RandomState(seed); age=r.randint(20,40,n); rating=np.clip(r.normal(4.6,0.3,n),2.5,5); km=r.gamma(2.5,4,n)
    weather=r.choice(['Sunny','Cloudy','Fog','Windy','Stormy','Sandstorms'],n); traffic=r.choice(['Low','Medium','High','Jam'],n,p=[0.35,0.25,0.1,0.3]); veh=r.choice(['motorcycle','scooter','electric_scooter'],n,p=[0.6,0.33,0.07])
    multi=r.choice([0,1,2,3],n,p=[0.3,0.62,0.05,0.03]); fest=(r.uniform(size=n)<0.02).astype(int)
    spd={'Low':30,'Medium':24,'High':19,'Jam':15}; sp=np.array([spd[t] for t in traffic])*np.where(veh=='motorcycle',1,0.9)
    mins=10+60*km/sp+4*multi+18*fest+np.isin(weather,['Stormy','Sandstorms'])*5+np.isin(weather,['Fog'])*4-6*(rating-4.6)+0.15*(age-30)+r.normal(0,3.5,n)
    pd.DataFrame({'age':age,'rating':rating.round(1),'distance_km':km.round(3),'weather':weather,'traffic':traffic,'vehicle':veh,'multiple_deliveries':multi,'festival':fest,'time_taken':np.round(mins)}).to_csv(out+'delivery.csv',index=False)
def melbourne(seed=4113, n=13580):
    # melbourne-housing-like: suburb (300 words), type (3) and sale method (5) as words, rooms, distance to the centre, bathrooms,
    # car spaces, a heavy-tailed land size, year built -> a log-normal price, suburbs' levels falling with distance
    r=np.random.RandomState(seed); sub=r.randint(0,300,n); dist=np.abs(r.normal(10,6,300))[sub]+r.normal(0,0.5,n); typ=r.choice(['h','u','t'],n,p=[0.7,0.2,0.1]); meth=r.choice(['S','SP','PI','VB','SA'],n,p=[0.65,0.12,0.12,0.09,0.02])
    rooms=np.clip(np.round(r.normal(3,1,n)-(typ=='u')),1,8); bath=np.clip(np.round(rooms/2+r.normal(0,0.5,n)),1,5); car=np.clip(np.round(r.normal(1.6,0.9,n)),0,6); land=np.exp(r.normal(6.2,0.8,n))*(typ=='h')+r.exponential(50,n); yb=np.round(r.uniform(1880,2017,n))
    lp=13.9+r.normal(0,0.25,300)[sub]-0.035*dist+0.15*rooms+0.08*bath+0.1*np.log1p(land)*(typ=='h')-0.35*(typ=='u')-0.12*(typ=='t')+0.02*(meth=='S')-0.0015*(yb-1950)*(dist<10)+r.normal(0,0.2,n)
    pd.DataFrame({'Suburb':np.array([f'Sub{i:03d}' for i in range(300)])[sub],'Type':typ,'Method':meth,'Rooms':rooms,'Distance':np.round(np.maximum(dist,0),1),'Bathroom':bath,'Car':car,'Landsize':np.round(land),'YearBuilt':yb,'Price':np.round(np.exp(lp),-3)}).to_csv(out+'melbourne.csv',index=False)
def rossmann(seed=4114, n=40000):
    # rossmann-sales-like: store (1,000 words) and store type (4) as words, weekday, promo, school holiday, competition distance,
    # month -> a day's sales, each store's level, a promo lift by type, a December rise
    r=np.random.RandomState(seed); st=r.randint(0,1000,n); stype=np.array(['a','b','c','d'])[r.randint(0,4,1000)][st]; wd=r.randint(1,7,n); promo=(r.uniform(size=n)<0.45).astype(int); sch=(r.uniform(size=n)<0.18).astype(int)
    comp=np.exp(r.normal(7.5,1.2,1000))[st]; month=r.randint(1,13,n); lev=np.exp(r.normal(8.7,0.35,1000))[st]
    lift={'a':0.25,'b':0.1,'c':0.3,'d':0.2}; sales=lev*(1+np.array([lift[t] for t in stype])*promo)*(1+0.12*(wd==1)-0.05*(wd==6))*(1+0.25*(month==12))*(1+0.03*sch)*(1-0.05*np.exp(-comp/500))*np.exp(r.normal(0,0.12,n))
    pd.DataFrame({'Store':np.array([f'S{i:04d}' for i in range(1000)])[st],'StoreType':stype,'DayOfWeek':wd,'Promo':promo,'SchoolHoliday':sch,'CompetitionDistance':np.round(comp),'Month':month,'Sales':np.round(sales)}).to_csv(out+'rossmann.csv',index=False)
def hitters(seed=4115, n=263):
    # hitters-like: a season's and a career's batting counts (correlated through years and skill), league, division and new league as
    # words -> log salary, rising with career hits and years to a plateau
    r=np.random.RandomState(seed); yrs=np.clip(np.round(r.gamma(2.5,3,n)),1,24); sk=r.normal(0,1,n); ab=np.round(np.clip(r.normal(400+40*sk,120,n),100,690)); h=np.round(ab*(0.26+0.02*sk+r.normal(0,0.015,n)))
    hr=np.round(np.clip(r.gamma(1.5,7,n)*(1+0.3*sk),0,40)); rn=np.round(h*0.5+r.normal(0,8,n)); rbi=np.round(h*0.45+2*hr+r.normal(0,8,n)); bb=np.round(np.clip(r.normal(40+10*sk,18,n),3,105))
    cab=np.round(ab*yrs*r.uniform(0.7,1.1,n)); ch=np.round(cab*(0.26+0.02*sk)); chr_=np.round(hr*yrs*r.uniform(0.6,1.1,n)); cr=np.round(ch*0.5); crbi=np.round(ch*0.45+2*chr_); cw=np.round(bb*yrs*0.9)
    po=np.round(r.exponential(280,n)); ast=np.round(r.exponential(100,n)); err=np.round(r.gamma(2,4,n)); lg=np.where(r.uniform(size=n)<0.53,'A','N'); dv=np.where(r.uniform(size=n)<0.5,'E','W'); nl=np.where(r.uniform(size=n)<0.9,lg,np.where(lg=='A','N','A'))
    ls=5.0+1.1*np.tanh((yrs-3)/4)+0.35*np.log(ch/1000)+0.2*sk+0.1*(dv=='E')+r.normal(0,0.4,n)
    pd.DataFrame({'AtBat':ab,'Hits':h,'HmRun':hr,'Runs':rn,'RBI':rbi,'Walks':bb,'Years':yrs,'CAtBat':cab,'CHits':ch,'CHmRun':chr_,'CRuns':cr,'CRBI':crbi,'CWalks':cw,'League':lg,'Division':dv,'PutOuts':po,'Assists':ast,'Errors':err,'NewLeague':nl,'LogSalary':ls.round(4)}).to_csv(out+'hitters.csv',index=False)
def carseats(seed=4116, n=400):
    # carseats-like: price, the competitor's, income, advertising, population, age, education, shelf location (3 words), urban and US
    # (2 each) -> unit sales, linear with a price-shelf interaction
    r=np.random.RandomState(seed); cp=np.round(r.normal(125,15,n)); inc=np.round(r.uniform(21,120,n)); adv=np.round(np.clip(r.exponential(6,n)-1,0,29)); pop=np.round(r.uniform(10,509,n)); price=np.round(cp*0.95+r.normal(0,20,n))
    age=np.round(r.uniform(25,80,n)); edu=r.randint(10,19,n); shelf=r.choice(['Bad','Medium','Good'],n,p=[0.24,0.55,0.21]); urb=np.where(r.uniform(size=n)<0.7,'Yes','No'); us=np.where(r.uniform(size=n)<0.65,'Yes','No')
    sl={'Bad':0,'Medium':2,'Good':4.8}; sales=5.7+0.093*cp+0.016*inc+0.12*adv-0.095*price+np.array([sl[x] for x in shelf])*(1+0.003*(120-price))-0.046*age+r.normal(0,1.0,n)
    pd.DataFrame({'CompPrice':cp,'Income':inc,'Advertising':adv,'Population':pop,'Price':price,'ShelveLoc':shelf,'Age':age,'Education':edu,'Urban':urb,'US':us,'Sales':np.round(np.maximum(sales,0),2)}).to_csv(out+'carseats.csv',index=False)
def college(seed=4117, n=777):
    # college-like: private (a word), accepted, enrolled, top-10% share, undergraduates, tuition, room and board, books, PhD share,
    # student-faculty ratio, alumni giving, expenditure, graduation rate -> applications, a heavy tail driven by size and selectivity
    r=np.random.RandomState(seed); priv=np.where(r.uniform(size=n)<0.73,'Yes','No'); size=r.normal(0,1,n)-0.8*(priv=='Yes'); sel=r.normal(0,1,n)
    fu=np.round(np.exp(8+0.9*size+r.normal(0,0.2,n))); acc=np.round(fu*np.exp(-0.4+0.2*r.normal(0,1,n))*0.6); enr=np.round(acc*np.clip(0.4-0.05*sel+r.normal(0,0.05,n),0.1,0.9)); top10=np.clip(np.round(25+15*sel+r.normal(0,6,n)),1,96)
    tui=np.round(np.where(priv=='Yes',12000,6500)+2500*sel+r.normal(0,1500,n)); rb=np.round(r.normal(4300,900,n)); bk=np.round(r.normal(550,150,n)); phd=np.clip(np.round(72+10*sel+r.normal(0,8,n)),8,100)
    sf=np.round(np.clip(14-1.5*sel+r.normal(0,3,n),3,40),1); alum=np.clip(np.round(22+8*sel+5*(priv=='Yes')+r.normal(0,8,n)),0,64); exp_=np.round(np.exp(9.1+0.3*sel+r.normal(0,0.2,n))); grad=np.clip(np.round(65+10*sel+r.normal(0,10,n)),10,100)
    apps=np.round(acc*np.exp(0.35+0.35*np.maximum(sel,0)**1.5+r.normal(0,0.2,n)))
    pd.DataFrame({'Private':priv,'Accept':acc,'Enroll':enr,'Top10perc':top10,'F.Undergrad':fu,'Outstate':tui,'Room.Board':rb,'Books':bk,'PhD':phd,'S.F.Ratio':sf,'perc.alumni':alum,'Expend':exp_,'Grad.Rate':grad,'Apps':apps}).to_csv(out+'college.csv',index=False)
def rent(seed=4118, n=4746):
    # house-rent-like: city (6 words), furnishing (3), tenant preferred (3) and area type (3) as words, rooms, size, bathrooms, floor ->
    # a monthly rent, log-normal with the city's level and a heavy upper tail
    r=np.random.RandomState(seed); city=r.choice(['Mumbai','Chennai','Bangalore','Hyderabad','Delhi','Kolkata'],n); cl={'Mumbai':10.6,'Chennai':9.5,'Bangalore':9.7,'Hyderabad':9.5,'Delhi':9.9,'Kolkata':9.2}
    bhk=np.clip(r.poisson(1.1,n)+1,1,6); size=np.round(np.exp(6.3+0.35*bhk+r.normal(0,0.3,n))); bath=np.clip(bhk+r.randint(-1,2,n),1,10); floor=np.clip(np.round(r.exponential(3,n)),0,70)
    furn=r.choice(['Unfurnished','Semi-Furnished','Furnished'],n,p=[0.38,0.47,0.15]); ten=r.choice(['Bachelors/Family','Bachelors','Family'],n,p=[0.73,0.17,0.1]); area=r.choice(['Super Area','Carpet Area','Built Area'],n,p=[0.51,0.48,0.01])
    lr=np.array([cl[c] for c in city])+0.55*np.log(size/800)+0.1*(bath-bhk)+0.12*(furn=='Furnished')+0.05*(furn=='Semi-Furnished')+0.01*floor+0.15*(area=='Carpet Area')+r.standard_t(5,n)*0.3
    pd.DataFrame({'BHK':bhk,'Size':size,'Floor':floor,'Area Type':area,'City':city,'Furnishing Status':furn,'Tenant Preferred':ten,'Bathroom':bath,'Rent':np.round(np.exp(lr),-2)}).to_csv(out+'rent.csv',index=False)
def happiness(seed=4119, n=156):
    # world-happiness-like: GDP per head, social support, healthy life expectancy, freedom, generosity, corruption -> a 0-10 score,
    # near-linear with a saturating GDP
    r=np.random.RandomState(seed); dev=r.normal(0,1,n); gdp=np.clip(0.9+0.4*dev+r.normal(0,0.1,n),0,1.7); soc=np.clip(1.2+0.25*dev+r.normal(0,0.15,n),0,1.7); hle=np.clip(0.7+0.25*dev+r.normal(0,0.08,n),0,1.2)
    fre=np.clip(r.normal(0.4,0.15,n),0,0.7); gen=np.clip(r.normal(0.18,0.1,n),0,0.6); cor=np.clip(r.exponential(0.1,n),0,0.5)
    y=2.0+1.6*np.tanh(gdp)+1.1*soc+1.0*hle+1.5*fre+0.5*gen+0.8*cor+r.normal(0,0.5,n)
    pd.DataFrame({'GDP':gdp.round(3),'Social':soc.round(3),'Health':hle.round(3),'Freedom':fre.round(3),'Generosity':gen.round(3),'Corruption':cor.round(3),'Score':y.round(3)}).to_csv(out+'happiness.csv',index=False)
def videogames(seed=4120, n=16000):
    # video-game-sales-like: platform (30 words), genre (12) and publisher (500) as words, year, critic and user scores -> log global
    # sales, a publisher's reach, a platform's era, a heavy tail
    r=np.random.RandomState(seed); pl=r.randint(0,30,n); ge=r.randint(0,12,n); pub=np.minimum(r.zipf(1.6,n)-1,499); yr=np.clip(np.round(r.uniform(1985,2005,30))[pl]+r.randint(0,8,n),1980,2016)
    crit=np.clip(r.normal(69,14,n),13,98); user=np.clip(crit/10+r.normal(0,1,n),0,10)
    y=-1.5+r.normal(0,0.8,500)[pub]*(pub>5)+0.6*(pub<5)+r.normal(0,0.4,30)[pl]+r.normal(0,0.3,12)[ge]+0.04*(crit-69)+0.05*(user-6.9)*(crit>75)+r.normal(0,0.7,n)
    P=np.array([f'P{i:02d}' for i in range(30)]); G=np.array([f'G{i:02d}' for i in range(12)]); U=np.array([f'Pub{i:03d}' for i in range(500)])
    pd.DataFrame({'Platform':P[pl],'Genre':G[ge],'Publisher':U[pub],'Year':yr,'Critic_Score':crit.round(),'User_Score':user.round(1),'log_Global_Sales':y.round(4)}).to_csv(out+'videogames.csv',index=False)
def calories(seed=4121, n=15000):
    # calories-burnt-like: gender as a word, age, height, weight, duration, heart rate, body temperature -> calories, a product of
    # duration and heart rate's excess, by gender and weight
    r=np.random.RandomState(seed); g=np.where(r.uniform(size=n)<0.5,'male','female'); age=r.randint(20,80,n); h=np.where(g=='male',r.normal(183,9,n),r.normal(167,8,n)); w=h-100+r.normal(0,8,n)
    dur=r.uniform(1,30,n); hr=np.clip(80+1.2*dur+r.normal(0,6,n),67,128); bt=37+0.12*np.sqrt(dur)*2+r.normal(0,0.2,n)
    cal=np.where(g=='male',(-55.1+0.63*hr+0.20*w+0.20*age),(-20.4+0.45*hr-0.13*w+0.07*age))/4.184*dur+r.normal(0,3,n)
    pd.DataFrame({'Gender':g,'Age':age,'Height':h.round(),'Weight':w.round(),'Duration':dur.round(),'Heart_Rate':hr.round(),'Body_Temp':bt.round(1),'Calories':np.maximum(cal,1).round()}).to_csv(out+'calories.csv',index=False)
def movies(seed=4122, n=5000):
    # movie-revenue-like: a heavy-tailed budget, runtime, year, votes, a rating and the genre (15 words) -> log box-office revenue,
    # its elasticity to budget and the votes' signal
    r=np.random.RandomState(seed); gen=r.randint(0,15,n); lb=r.normal(16.5,1.3,n); rt=np.clip(r.normal(108,18,n),70,200); yr=r.randint(1980,2017,n); q=r.normal(0,1,n)
    votes=np.exp(6+0.6*(lb-16.5)+0.8*q+r.normal(0,0.6,n)); rating=np.clip(6.3+0.7*q+r.normal(0,0.4,n),1.5,9.3)
    y=lb+0.3+r.normal(0,0.4,15)[gen]+0.35*np.log(votes/400)+0.08*(rt>150)+0.01*(yr-2000)+r.normal(0,0.9,n)
    G=np.array([f'genre{i:02d}' for i in range(15)])
    pd.DataFrame({'budget':np.exp(lb).round(),'runtime':rt.round(),'year':yr,'votes':votes.round(),'rating':rating.round(1),'genre':G[gen],'log_revenue':y.round(4)}).to_csv(out+'movies.csv',index=False)
def nba(seed=4123, n=450):
    # nba-salary-like: position (5 words), age, games, minutes, points, rebounds, assists, steals, blocks, turnovers, efficiency ->
    # salary in millions, a rookie scale for the young, a premium for points, a cap
    r=np.random.RandomState(seed); pos=r.choice(['PG','SG','SF','PF','C'],n); age=np.clip(np.round(r.gamma(9,3,n)),19,40); sk=r.normal(0,1,n); g=np.clip(np.round(r.normal(60,15,n)),5,82)
    mp=np.clip(20+6*sk+r.normal(0,5,n),4,38); pts=np.clip(mp*(0.45+0.1*sk)+r.normal(0,2,n),0,36); trb=np.clip(mp*0.18*(1+0.8*np.isin(pos,['PF','C']))+r.normal(0,1,n),0,15)
    ast=np.clip(mp*0.1*(1+1.2*(pos=='PG'))+r.normal(0,0.8,n),0,11); stl=np.clip(mp*0.03+r.normal(0,0.2,n),0,3); blk=np.clip(mp*0.02*(1+2*(pos=='C'))+r.normal(0,0.2,n),0,4); tov=np.clip(0.1*pts+r.normal(0,0.4,n),0,5)
    eff=pts+trb+ast+stl+blk-tov
    sal=np.clip(np.where(age<23,2+0.15*pts,np.exp(0.5+0.09*pts+0.04*eff-0.002*(age-29)**2)+r.normal(0,2,n)),1,45)
    pd.DataFrame({'Pos':pos,'Age':age,'G':g,'MP':mp.round(1),'PTS':pts.round(1),'TRB':trb.round(1),'AST':ast.round(1),'STL':stl.round(1),'BLK':blk.round(1),'TOV':tov.round(1),'EFF':eff.round(1),'Salary':sal.round(2)}).to_csv(out+'nba.csv',index=False)
def superstore(seed=4124, n=10000):
    # superstore-profit-like: category (3 words), sub-category (17), region (4) and segment (3) as words, sales (log-normal),
    # quantity, discount -> profit, a margin by sub-category that discounts turn to losses
    r=np.random.RandomState(seed); sub=r.randint(0,17,n); cat=np.array(['Furniture','Office','Technology'])[np.array([0,0,0,0,1,1,1,1,1,1,1,1,1,2,2,2,2])[sub]]; reg=r.choice(['Central','East','South','West'],n); seg=r.choice(['Consumer','Corporate','Home Office'],n,p=[0.52,0.3,0.18])
    sales=np.exp(r.normal(4.1,1.3,n)); qty=r.randint(1,15,n); disc=np.where(r.uniform(size=n)<0.5,0,r.choice([0.1,0.2,0.3,0.4,0.5,0.7,0.8],n))
    margin=r.uniform(0.05,0.45,17)[sub]; profit=sales*(margin-1.1*disc-0.5*disc**2*(reg=='Central'))+r.normal(0,5,n)*np.sqrt(qty)
    S=np.array([f'sub{i:02d}' for i in range(17)])
    pd.DataFrame({'Category':cat,'SubCategory':S[sub],'Region':reg,'Segment':seg,'Sales':sales.round(2),'Quantity':qty,'Discount':disc,'Profit':profit.round(2)}).to_csv(out+'superstore.csv',index=False)

if __name__=='__main__':
    if len(sys.argv)<3: sys.exit('usage: make.py OUTDIR NAME... (names: '+', '.join(k for k,v in list(globals().items()) if callable(v) and v.__module__=='__main__' and not k.startswith('_'))+')')
    for name in sys.argv[2:]: globals()[name]()
